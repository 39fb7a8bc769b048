// Task<T>: a C++20 coroutine over Deferreds (Twisted's `async def` + ensureDeferred).
//
//   Task<int> add(Deferred<int> a) { co_return co_await std::move(a) + 1; }
//   Deferred<int> d = ensureDeferred(add(deferLater(reactor, 1s, [] { return 41; })));
//
// - A Task is lazy: it starts when ensureDeferred() starts it, or when another Task awaits it.
// - Inside a Task, `co_await` a Deferred<U> (gives U, or throws its Failure's exception) or a
//   Task<U> (runs it; its result or exception comes back). Nothing else can be awaited: every
//   resumption must come from a Deferred firing, which is what keeps the lifetimes below sound.
// - An exception leaving the coroutine becomes the Failure of ensureDeferred's Deferred: never
//   swallowed (unhandled, it is logged like any other unhandled Deferred failure).
// - Cancelling ensureDeferred's Deferred cancels the Deferred the coroutine (or the innermost
//   Task it awaits) is suspended on; the coroutine sees CancelledError at that co_await.
// - Ownership: a running coroutine tree (the Task given to ensureDeferred and the Tasks it
//   awaits) is owned by whatever will resume it: the step it added to the Deferred it awaits.
//   If that Deferred is dropped without firing (a reactor destroyed with the timer pending,
//   a connection's protocol gone), the step goes, and with it the whole tree: every local is
//   destroyed, and ensureDeferred's Deferred fails with AbandonedError. Awaiting a Deferred
//   prvalue (`co_await f()`) hands its handle to the chain; a Deferred kept in a local of the
//   coroutine keeps the cycle (frame -> Deferred -> step -> frame) alive until it fires.
// - Constant stack: a co_await on an already-fired Deferred, or on a Task that completes
//   without suspending, does not suspend the awaiting coroutine at all; a Task that finishes
//   later resumes its awaiter by symmetric transfer. A million synchronous awaits in a row use
//   constant stack, with or without tail calls. No heap allocation per co_await of a
//   fired Deferred (the step lives inline in the Deferred's state).
// Like Deferreds, a Task tree runs on one thread (the reactor's).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "weft/deferred.hpp"
#include "weft/failure.hpp"

namespace weft {

// The Deferred a coroutine was suspended on went away without firing, so it can never resume:
// it was destroyed, and ensureDeferred's Deferred fails with this.
class AbandonedError : public std::runtime_error {
 public:
  AbandonedError()
      : std::runtime_error("coroutine abandoned: the Deferred it awaited was dropped") {}
};

template <class T = void>
class Task;

namespace detail {

// What every Task's promise shares: who awaits it, what it awaits (for cancel), and, at the
// root of a tree, the count of owners (pending steps, plus ensureDeferred while it starts it).
class TaskPromiseBase {
 public:
  std::coroutine_handle<> continuation;  // the awaiting Task; null at the root
  TaskPromiseBase* root = this;
  TaskPromiseBase* awaitingTask = nullptr;        // the child Task we are suspended in
  std::weak_ptr<DeferredState> awaitingDeferred;  // the Deferred we are suspended on
  size_t owners = 0;                              // root only
  bool finished = false;                          // root only: at its final suspend point
  bool startingInline = false;  // inside the awaiting Task's await_suspend: do not resume it

  // Cancels what the innermost Task of the tree is suspended on.
  void cancelAwaited() {
    TaskPromiseBase* p = this;
    while (p->awaitingTask) p = p->awaitingTask;
    if (auto s = p->awaitingDeferred.lock()) DeferredState::cancel(s);
  }

 protected:
  TaskPromiseBase() = default;
  ~TaskPromiseBase() = default;

 private:
  friend class RootRef;
  // The last owner went: destroy the frame (and, if it never finished, fail its Deferred).
  virtual void lastOwnerGone() noexcept = 0;
};

// An owning reference to a coroutine tree's root (intrusive count, no allocation).
class RootRef {
 public:
  explicit RootRef(TaskPromiseBase* root) noexcept : root_(root) { ++root_->owners; }
  RootRef(RootRef&& o) noexcept : root_(std::exchange(o.root_, nullptr)) {}
  RootRef(const RootRef&) = delete;
  RootRef& operator=(const RootRef&) = delete;
  RootRef& operator=(RootRef&&) = delete;
  ~RootRef() {
    if (root_ && --root_->owners == 0) root_->lastOwnerGone();
  }

 private:
  TaskPromiseBase* root_;
};

template <class T>
class TaskPromise;

// co_await on a Deferred<T> inside a Task.
template <class T>
class DeferredAwaiter {
 public:
  DeferredAwaiter(TaskPromiseBase& promise, Deferred<T> d) : promise_(promise), d_(std::move(d)) {}

  bool await_ready() const noexcept { return false; }
  // Adds a step that receives the result. If the Deferred has fired, the step runs right here
  // and we do not suspend (no stack growth); otherwise the step resumes us when it fires.
  bool await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    std::weak_ptr<DeferredState> weak = DeferredAccess::state(d_);
    // The chain, not this frame, keeps the awaited Deferred (see the header comment).
    Deferred<T> d = std::move(d_);
    std::move(d).addBoth([this, owner = RootRef(promise_.root)](Outcome<T> o) {
      result_.emplace(std::move(o));
      if (suspended_) {
        suspended_ = false;
        promise_.awaitingDeferred.reset();
        handle_.resume();
      }
    });
    if (result_) return false;
    promise_.awaitingDeferred = std::move(weak);
    suspended_ = true;
    return true;
  }
  detail::Stored<T> await_resume() { return std::move(*result_).value(); }

 private:
  TaskPromiseBase& promise_;
  Deferred<T> d_;
  std::optional<Outcome<T>> result_;
  std::coroutine_handle<> handle_;
  bool suspended_ = false;
};

// co_await on a Task<U> inside a Task. The child runs nested in await_suspend until it
// completes or suspends on a pending Deferred; if it completed, the parent goes on without
// suspending. So a long run of synchronously completing Tasks uses constant stack even where
// the compiler does not turn symmetric transfer into a tail call (GCC 12 at -O0 does not).
template <class U>
class TaskAwaiter {
 public:
  TaskAwaiter(TaskPromiseBase& parent, Task<U> child) : parent_(parent), child_(std::move(child)) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> parent) noexcept {
    auto& cp = child_.handle_.promise();
    cp.continuation = parent;
    cp.root = parent_.root;
    parent_.awaitingTask = &cp;
    cp.startingInline = true;
    child_.handle_.resume();
    if (child_.handle_.done()) return false;
    cp.startingInline = false;  // it suspended: its final suspend resumes us
    return true;
  }
  decltype(auto) await_resume() {
    parent_.awaitingTask = nullptr;
    return child_.handle_.promise().takeResult();
  }

 private:
  TaskPromiseBase& parent_;
  Task<U> child_;
};

// The result slot: a value (or nothing, for void) or the exception that left the body.
template <class T>
class TaskResult {
 public:
  template <class V>
  void return_value(V&& v) {
    value_.emplace(std::forward<V>(v));
  }
  T takeResult() {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }
  Outcome<T> takeOutcome() {
    if (error_) return Outcome<T>(Failure(error_));
    return Outcome<T>(std::move(*value_));
  }

 protected:
  std::optional<T> value_;
  std::exception_ptr error_;
};
template <>
class TaskResult<void> {
 public:
  void return_void() noexcept {}
  void takeResult() {
    if (error_) std::rethrow_exception(error_);
  }
  Outcome<void> takeOutcome() {
    if (error_) return Outcome<void>(Failure(error_));
    return Outcome<void>(Unit{});
  }

 protected:
  std::exception_ptr error_;
};

template <class T>
class TaskPromise final : public TaskPromiseBase, public TaskResult<T> {
 public:
  using Handle = std::coroutine_handle<TaskPromise>;

  Task<T> get_return_object() noexcept { return Task<T>(Handle::from_promise(*this)); }
  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { this->error_ = std::current_exception(); }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(Handle h) noexcept {
      TaskPromise& p = h.promise();
      if (p.continuation) {
        if (p.startingInline) return std::noop_coroutine();  // its await_suspend goes on
        return p.continuation;  // symmetric transfer to the awaiting Task
      }
      // The root: report to ensureDeferred's Deferred. The frame stays until its last owner
      // (the step or ensureDeferred that resumed it) lets go.
      p.finished = true;
      if (p.outer_) fire(*std::exchange(p.outer_, std::nullopt), p.takeOutcome());
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  template <class U>
  DeferredAwaiter<U> await_transform(Deferred<U> d) {
    return DeferredAwaiter<U>(*this, std::move(d));
  }
  template <class U>
  TaskAwaiter<U> await_transform(Task<U>&& t) {
    return TaskAwaiter<U>(*this, std::move(t));
  }

  // ensureDeferred: this Task is the root of a tree, reporting to `outer`.
  void setOuter(Deferred<T> outer) { outer_.emplace(std::move(outer)); }

 private:
  static void fire(Deferred<T> d, Outcome<T> o) noexcept {
    try {
      if (o.ok()) {
        if constexpr (std::is_void_v<T>) {
          d.callback();
        } else {
          d.callback(std::move(o).value());
        }
      } else {
        d.errback(o.failure());
      }
    } catch (...) {  // AlreadyCalledError: a canceller fired it first; that result stands
    }
  }
  void lastOwnerGone() noexcept override {
    std::optional<Deferred<T>> outer = std::exchange(outer_, std::nullopt);
    bool done = finished;
    Handle::from_promise(*this).destroy();  // every local of the tree goes here
    if (!done && outer) fire(std::move(*outer), Outcome<T>(Failure(AbandonedError())));
  }

  std::optional<Deferred<T>> outer_;
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;

  Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      reset();
      handle_ = std::exchange(o.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  // A Task that never started, or one awaited by a Task being destroyed, goes with its frame.
  ~Task() { reset(); }

 private:
  template <class>
  friend class detail::TaskPromise;
  template <class>
  friend class detail::TaskAwaiter;
  template <class U>
  friend Deferred<U> ensureDeferred(Task<U> task);

  explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  void reset() noexcept {
    if (handle_) std::exchange(handle_, {}).destroy();
  }

  std::coroutine_handle<promise_type> handle_;
};

// Starts `task` and gives its result as a Deferred (Twisted's ensureDeferred). Cancelling that
// Deferred cancels what the coroutine is awaiting.
template <class T>
Deferred<T> ensureDeferred(Task<T> task) {
  auto h = std::exchange(task.handle_, {});
  detail::TaskPromise<T>& p = h.promise();
  detail::TaskPromiseBase* root = &p;
  // The canceller's raw pointer is safe: the root fires this Deferred before its frame goes.
  Deferred<T> outer([root](Deferred<T>&) { root->cancelAwaited(); });
  p.setOuter(outer);
  detail::RootRef starting(root);
  h.resume();
  return outer;
}

}  // namespace weft
