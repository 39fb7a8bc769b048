// Deferred<T>: Twisted's Deferred (twisted.internet.defer), typed. A placeholder for a result
// that is not there yet, plus a chain of (callback, errback) steps that run once it is:
//
//   Deferred<int> d;
//   Deferred<std::string> s = d.addCallback([](int n) { return std::to_string(n); });
//   s.addErrback([](const Failure& f) { return "error: " + f.message(); });
//   d.callback(42);  // runs the chain now
//
// - callback()/errback() fire once; a second fire throws AlreadyCalledError (the first stands).
// - A callback from T to U makes a `Deferred<U>` (the same chain, viewed with its new type).
//   A callback may return a value, throw (the next errback runs with a Failure), or return a
//   `Deferred<U>` (the chain pauses until that one fires and continues with its result).
// - addCallbacks(cb, eb) puts both at one level: eb does not see an error thrown by cb.
// - An errback returns T (recovered: back to callbacks), a Failure, or throws (Failure::trap
//   rethrows what it does not handle).
// - addBoth(f) gives f an Outcome<T> (value or Failure): the `finally` of async code.
// - Steps added after firing run at once.
// - cancel(): an unfired Deferred runs its canceller, then fails with CancelledError if the
//   canceller did not fire it (a late fire from the cancelled work is ignored); a Deferred
//   paused on an inner Deferred cancels the inner one; a fired one ignores it.
// - A chain that ends holding a Failure logs "Unhandled error in Deferred" (weft::log) when
//   its last handle goes.
// Use a Deferred on one thread (the reactor's); deferToThread and callFromThread bring results
// from other threads. Up to four steps, a chain is one heap block (the shared state).
#pragma once

#include <concepts>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "weft/detail/deferred_state.hpp"
#include "weft/failure.hpp"
#include "weft/source_location.hpp"

namespace weft {

// What a Deferred<void> carries.
struct Unit {};

template <class T>
class Deferred;

namespace detail {
template <class T>
using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;
}  // namespace detail

// A fired Deferred's result: a value or a Failure (what addBoth receives).
template <class T>
class Outcome {
 public:
  Outcome(detail::Stored<T> v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT
  Outcome(Failure f) : v_(std::in_place_index<1>, std::move(f)) {}             // NOLINT

  bool ok() const { return v_.index() == 0; }
  // The value; rethrows the failure's exception if there is none.
  detail::Stored<T>& value() & {
    if (!ok()) failure().rethrow();
    return std::get<0>(v_);
  }
  detail::Stored<T>&& value() && { return std::move(value()); }
  const Failure& failure() const {
    if (ok()) throw std::logic_error("Outcome holds a value, not a Failure");
    return std::get<1>(v_);
  }

 private:
  std::variant<detail::Stored<T>, Failure> v_;
};

namespace detail {

// What a step's function returned, and what the chain carries next.
template <class R>
struct ChainOf {
  using type = R;
};
template <class U>
struct ChainOf<Deferred<U>> {
  using type = U;
};
template <class U>
struct ChainOf<Outcome<U>> {
  using type = U;
};
template <class R>
using ChainOfT = typename ChainOf<R>::type;

template <class R>
inline constexpr bool kIsDeferred = false;
template <class U>
inline constexpr bool kIsDeferred<Deferred<U>> = true;
template <class R>
inline constexpr bool kIsOutcome = false;
template <class U>
inline constexpr bool kIsOutcome<Outcome<U>> = true;

struct DeferredAccess {
  template <class U>
  static const std::shared_ptr<DeferredState>& state(const Deferred<U>& d) {
    return d.state_;
  }
  template <class U>
  static Deferred<U> make(std::shared_ptr<DeferredState> s) {
    return Deferred<U>(std::move(s));
  }
};

// Runs the user's function `g` (returning R) and makes what it returned, or threw, the
// state's new result. `incoming` is the Failure an errback was given: rethrowing that very
// exception (Failure::trap) passes the original Failure on, with its origin.
template <class R, class G>
void storeResult(DeferredState& s, G&& g, const Failure* incoming, SourceLocation where) {
  try {
    if constexpr (std::is_void_v<R>) {
      g();
      s.value.emplace<Unit>();
      s.kind = DeferredState::Kind::Value;
    } else if constexpr (kIsDeferred<R>) {
      R inner = g();
      s.pauseOn(DeferredAccess::state(inner));
    } else if constexpr (kIsOutcome<R>) {
      R o = g();
      if (o.ok()) {
        s.value.emplace<Stored<ChainOfT<R>>>(std::move(o).value());
        s.kind = DeferredState::Kind::Value;
      } else {
        s.fail(o.failure());
      }
    } else if constexpr (std::is_same_v<R, Failure>) {
      s.fail(g());
    } else {
      s.value.emplace<R>(g());
      s.kind = DeferredState::Kind::Value;
    }
  } catch (...) {
    std::exception_ptr e = std::current_exception();
    if (incoming && incoming->exception() == e) {
      s.fail(*incoming);
    } else {
      s.fail(Failure(e, where));
    }
  }
}

template <class T, class F>
decltype(auto) invokeCallback(F& f, Stored<T>&& v) {
  if constexpr (std::is_void_v<T>) {
    return f();
  } else {
    return f(std::move(v));
  }
}

template <class T, class F>
struct CallbackResult {
  using type = std::invoke_result_t<F&, T&&>;
};
template <class F>
struct CallbackResult<void, F> {
  using type = std::invoke_result_t<F&>;
};

}  // namespace detail

template <class T>
class Deferred {
 public:
  using value_type = T;

  Deferred() : state_(std::make_shared<detail::DeferredState>(detail::typeTag<T>())) {}
  // canceller(Deferred<T>&) must stop the underlying work; it may fire the Deferred itself.
  template <class C>
    requires std::invocable<C&, Deferred<T>&>
  explicit Deferred(C canceller) : Deferred() {
    state_->canceller = [c = std::move(canceller)](const detail::Self& s) mutable {
      Deferred<T> self(s);
      c(self);
    };
  }

  // --- firing ---
  void callback(detail::Stored<T> value) {
    auto keep = checkedHead();
    if (!keep->beginFire()) return;
    keep->value.template emplace<detail::Stored<T>>(std::move(value));
    keep->kind = detail::DeferredState::Kind::Value;
    detail::DeferredState::runSteps(keep);
  }
  void callback()
    requires std::is_void_v<T>
  {
    callback(Unit{});
  }
  void errback(Failure f) {
    auto keep = checkedHead();
    if (!keep->beginFire()) return;
    keep->fail(std::move(f));
    detail::DeferredState::runSteps(keep);
  }
  void cancel() {
    auto keep = state_;  // the canceller may drop the last handle
    detail::DeferredState::cancel(keep);
  }
  bool called() const { return state_->called; }
  bool paused() const { return state_->paused; }

  // --- the chain ---
  // Each step comes in two forms: on a named handle (it stays valid), and on a temporary
  // (`d.addCallback(f).addCallback(g)`), which hands its reference on instead of copying it.
  template <class F>
  auto addCallback(F f, SourceLocation where = SourceLocation::current()) & {
    return chain<CallbackChain<F>>(state_, callbackStep(std::move(f), where));
  }
  template <class F>
  auto addCallback(F f, SourceLocation where = SourceLocation::current()) && {
    return chain<CallbackChain<F>>(std::move(state_), callbackStep(std::move(f), where));
  }
  template <class F>
  Deferred<T> addErrback(F f, SourceLocation where = SourceLocation::current()) & {
    return chain<T>(state_, errbackStep(std::move(f), where));
  }
  template <class F>
  Deferred<T> addErrback(F f, SourceLocation where = SourceLocation::current()) && {
    return chain<T>(std::move(state_), errbackStep(std::move(f), where));
  }
  // cb and eb at one level: eb sees the failure that arrived, never one cb raised.
  template <class CB, class EB>
  auto addCallbacks(CB cb, EB eb, SourceLocation where = SourceLocation::current()) & {
    return chain<CallbackChain<CB>>(state_, bothSidesStep(std::move(cb), std::move(eb), where));
  }
  template <class CB, class EB>
  auto addCallbacks(CB cb, EB eb,
                    SourceLocation where = SourceLocation::current()) && {
    return chain<CallbackChain<CB>>(std::move(state_),
                                    bothSidesStep(std::move(cb), std::move(eb), where));
  }
  // f(Outcome<T>) runs on either side; what it returns (or throws) continues the chain.
  template <class F>
  auto addBoth(F f, SourceLocation where = SourceLocation::current()) & {
    return chain<BothChain<F>>(state_, bothStep(std::move(f), where));
  }
  template <class F>
  auto addBoth(F f, SourceLocation where = SourceLocation::current()) && {
    return chain<BothChain<F>>(std::move(state_), bothStep(std::move(f), where));
  }

  // Fire `other` with this chain's result (Twisted's chainDeferred); this chain continues
  // with an empty result afterwards, so it no longer reports the failure as unhandled.
  void chainDeferred(Deferred<T> other) {
    addBoth([other](Outcome<T> o) mutable {
      if (o.ok()) {
        other.callback(std::move(o).value());
      } else {
        other.errback(o.failure());
      }
    });
  }

 private:
  friend struct detail::DeferredAccess;
  template <class>
  friend class Deferred;
  explicit Deferred(std::shared_ptr<detail::DeferredState> s) : state_(std::move(s)) {}

  template <class F>
  using CallbackChain = detail::ChainOfT<typename detail::CallbackResult<T, F>::type>;
  template <class F>
  using BothChain = std::conditional_t<std::is_same_v<std::invoke_result_t<F&, Outcome<T>&&>, Failure>,
                                       T, detail::ChainOfT<std::invoke_result_t<F&, Outcome<T>&&>>>;

  template <class F>
  static auto callbackStep(F f, SourceLocation where) {
    using R = typename detail::CallbackResult<T, F>::type;
    static_assert(!std::is_same_v<R, Failure>, "a callback reports failure by throwing");
    return [f = std::move(f), where](detail::DeferredState& s) mutable {
      if (s.kind != detail::DeferredState::Kind::Value) return;
      runCallback<R>(s, f, where);
    };
  }
  template <class F>
  static auto errbackStep(F f, SourceLocation where) {
    using R = std::invoke_result_t<F&, const Failure&>;
    static_assert(std::is_same_v<detail::ChainOfT<R>, T> || std::is_same_v<R, Failure>,
                  "an errback returns T (recovered), a Deferred<T>, an Outcome<T> or a Failure");
    return [f = std::move(f), where](detail::DeferredState& s) mutable {
      if (s.kind != detail::DeferredState::Kind::Failed) return;
      runErrback<R>(s, f, where);
    };
  }
  template <class CB, class EB>
  static auto bothSidesStep(CB cb, EB eb, SourceLocation where) {
    using R = typename detail::CallbackResult<T, CB>::type;
    using RE = std::invoke_result_t<EB&, const Failure&>;
    static_assert(std::is_same_v<detail::ChainOfT<RE>, detail::ChainOfT<R>> ||
                      std::is_same_v<RE, Failure>,
                  "addCallbacks: the errback must produce what the callback produces");
    return [cb = std::move(cb), eb = std::move(eb), where](detail::DeferredState& s) mutable {
      if (s.kind == detail::DeferredState::Kind::Value) {
        runCallback<R>(s, cb, where);
      } else if (s.kind == detail::DeferredState::Kind::Failed) {
        runErrback<RE>(s, eb, where);
      }
    };
  }
  template <class F>
  static auto bothStep(F f, SourceLocation where) {
    using R = std::invoke_result_t<F&, Outcome<T>&&>;
    return [f = std::move(f), where](detail::DeferredState& s) mutable {
      using Kind = detail::DeferredState::Kind;
      if (s.kind == Kind::Value) {
        Outcome<T> o(s.value.template take<detail::Stored<T>>());
        s.kind = Kind::Empty;
        detail::storeResult<R>(s, [&]() -> R { return f(std::move(o)); }, nullptr, where);
      } else if (s.kind == Kind::Failed) {
        // Moved, not copied: f may hand the Failure to another thread, which must then hold
        // the only reference to its exception.
        Outcome<T> o(std::move(*s.failure));
        s.failure.reset();
        s.kind = Kind::Empty;
        detail::storeResult<R>(s, [&]() -> R { return f(std::move(o)); }, nullptr, where);
      }
    };
  }

  template <class R, class F>
  static void runCallback(detail::DeferredState& s, F& f, SourceLocation where) {
    auto v = s.value.template take<detail::Stored<T>>();
    s.kind = detail::DeferredState::Kind::Empty;
    detail::storeResult<R>(
        s, [&]() -> R { return detail::invokeCallback<T>(f, std::move(v)); }, nullptr, where);
  }
  template <class R, class F>
  static void runErrback(detail::DeferredState& s, F& f, SourceLocation where) {
    Failure in = std::move(*s.failure);
    s.failure.reset();
    s.kind = detail::DeferredState::Kind::Empty;
    detail::storeResult<R>(s, [&]() -> R { return f(std::as_const(in)); }, &in, where);
  }

  template <class U, class Step>
  static Deferred<U> chain(std::shared_ptr<detail::DeferredState> s, Step&& step) {
    if (s->tailType != detail::typeTag<T>()) {
      throw std::logic_error("Deferred: step added through a handle whose type the chain left");
    }
    s->tailType = detail::typeTag<U>();
    detail::DeferredState::addStep(s, std::forward<Step>(step));  // `s` keeps it alive meanwhile
    return Deferred<U>(std::move(s));
  }
  std::shared_ptr<detail::DeferredState> checkedHead() const {
    if (state_->headType != detail::typeTag<T>()) {
      throw std::logic_error("Deferred: fired through a handle of the chain's later type");
    }
    return state_;
  }

  std::shared_ptr<detail::DeferredState> state_;
};

}  // namespace weft
