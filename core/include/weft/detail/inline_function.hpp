// InlineFunction and ValueBox: type erasure with in-object storage, so a Deferred's callbacks
// and its current result live inside the Deferred's one shared state instead of in heap
// blocks of their own (a std::function allocates for most captures). Anything larger than the
// inline buffer, or not nothrow-movable, is kept in a unique_ptr inside the buffer instead.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace weft::detail {

template <class T>
inline constexpr char kTypeTag = 0;
// A unique address per type: cheaper than typeid and needs no RTTI.
template <class T>
constexpr const void* typeTag() {
  return &kTypeTag<T>;
}

template <class V, size_t N>
inline constexpr bool kFitsInline = sizeof(V) <= N && alignof(V) <= alignof(std::max_align_t) &&
                                    std::is_nothrow_move_constructible_v<V>;

template <class Sig, size_t N>
class InlineFunction;

template <class R, class... A, size_t N>
class InlineFunction<R(A...), N> {
 public:
  InlineFunction() = default;
  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, InlineFunction>)
  InlineFunction(F&& f) {  // NOLINT: implicit, like std::function
    construct(std::forward<F>(f));
  }
  // Replaces the target, constructing the new one in place (no temporary to move).
  template <class F>
  void emplace(F&& f) {
    reset();
    construct(std::forward<F>(f));
  }
  InlineFunction(InlineFunction&& o) noexcept { moveFrom(o); }
  InlineFunction& operator=(InlineFunction&& o) noexcept {
    if (this != &o) {
      reset();
      moveFrom(o);
    }
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  R operator()(A... args) { return ops_->call(buf_, std::forward<A>(args)...); }
  void reset() {
    if (ops_) std::exchange(ops_, nullptr)->destroy(buf_);
  }

 private:
  struct Ops {
    R (*call)(void*, A...);
    void (*move)(void* dst, void* src);  // move-construct into dst, destroy src
    void (*destroy)(void*);
  };
  template <class D>
  static constexpr Ops kInlineOps{
      [](void* p, A... a) -> R { return (*static_cast<D*>(p))(std::forward<A>(a)...); },
      [](void* dst, void* src) {
        ::new (dst) D(std::move(*static_cast<D*>(src)));
        static_cast<D*>(src)->~D();
      },
      [](void* p) { static_cast<D*>(p)->~D(); }};
  template <class D>
  static constexpr Ops kHeapOps{
      [](void* p, A... a) -> R {
        return (**static_cast<std::unique_ptr<D>*>(p))(std::forward<A>(a)...);
      },
      [](void* dst, void* src) {
        using P = std::unique_ptr<D>;
        ::new (dst) P(std::move(*static_cast<P*>(src)));
        static_cast<P*>(src)->~P();
      },
      [](void* p) {
        using P = std::unique_ptr<D>;
        static_cast<P*>(p)->~P();
      }};
  template <class F>
  void construct(F&& f) {
    using D = std::decay_t<F>;
    if constexpr (kFitsInline<D, N>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      using P = std::unique_ptr<D>;
      ::new (static_cast<void*>(buf_)) P(std::make_unique<D>(std::forward<F>(f)));
      ops_ = &kHeapOps<D>;
    }
  }
  void moveFrom(InlineFunction& o) noexcept {
    if (o.ops_) {
      o.ops_->move(buf_, o.buf_);
      ops_ = std::exchange(o.ops_, nullptr);
    }
  }

  alignas(std::max_align_t) unsigned char buf_[N];
  const Ops* ops_ = nullptr;
};

// One value of any type, inline when it fits (std::string, pointers, small structs).
class ValueBox {
 public:
  static constexpr size_t kInline = 40;
  ValueBox() = default;
  ValueBox(const ValueBox&) = delete;
  ValueBox& operator=(const ValueBox&) = delete;
  ~ValueBox() { reset(); }

  bool has() const { return ops_ != nullptr; }
  template <class V, class... Args>
  void emplace(Args&&... args) {
    reset();
    if constexpr (kFitsInline<V, kInline>) {
      ::new (static_cast<void*>(buf_)) V(std::forward<Args>(args)...);
      ops_ = &kInlineOps<V>;
    } else {
      using P = std::unique_ptr<V>;
      ::new (static_cast<void*>(buf_)) P(std::make_unique<V>(std::forward<Args>(args)...));
      ops_ = &kHeapOps<V>;
    }
  }
  // Moves the value out (the box is empty afterwards). Throws if it holds another type: a
  // Deferred's handles are typed, so that is a stale handle used after the chain changed type.
  template <class V>
  V take() {
    if (!ops_ || ops_->tag != typeTag<V>()) throw std::logic_error("Deferred: result type mismatch");
    V* p;
    if constexpr (kFitsInline<V, kInline>) {
      p = std::launder(reinterpret_cast<V*>(buf_));
    } else {
      p = std::launder(reinterpret_cast<std::unique_ptr<V>*>(buf_))->get();
    }
    V out(std::move(*p));
    reset();
    return out;
  }
  void moveFrom(ValueBox& o) noexcept {
    reset();
    if (o.ops_) {
      o.ops_->move(buf_, o.buf_);
      ops_ = std::exchange(o.ops_, nullptr);
    }
  }
  void reset() {
    if (ops_) std::exchange(ops_, nullptr)->destroy(buf_);
  }

 private:
  struct Ops {
    void (*move)(void* dst, void* src);
    void (*destroy)(void*);
    const void* tag;
  };
  template <class V>
  static constexpr Ops kInlineOps{[](void* dst, void* src) {
                                    ::new (dst) V(std::move(*static_cast<V*>(src)));
                                    static_cast<V*>(src)->~V();
                                  },
                                  [](void* p) { static_cast<V*>(p)->~V(); }, typeTag<V>()};
  template <class V>
  static constexpr Ops kHeapOps{[](void* dst, void* src) {
                                  using P = std::unique_ptr<V>;
                                  ::new (dst) P(std::move(*static_cast<P*>(src)));
                                  static_cast<P*>(src)->~P();
                                },
                                [](void* p) {
                                  using P = std::unique_ptr<V>;
                                  static_cast<P*>(p)->~P();
                                },
                                typeTag<V>()};

  alignas(std::max_align_t) unsigned char buf_[kInline];
  const Ops* ops_ = nullptr;
};

}  // namespace weft::detail
