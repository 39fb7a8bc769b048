// Deferreds driven by a reactor: Twisted's task.deferLater, Deferred.addTimeout and
// threads.deferToThread. Built only on the Reactor's application API (callLater,
// callInThread, callFromThread), so they behave the same on every reactor.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"
#include "weft/reactor.hpp"

namespace weft {

// Calls fn() after `delay` on the reactor thread; the Deferred fires with what it returns (or
// fails with what it throws; a returned Deferred is waited for). cancel() cancels the timer.
// The pending timer owns the Deferred (as in Twisted): fire or cancel it before the reactor
// is destroyed.
template <class F>
auto deferLater(Reactor& reactor, Duration delay, F fn) {
  using T = typename detail::MaybeDeferredType<std::invoke_result_t<F&>>::type;
  auto call = std::make_shared<DelayedCall>();
  Deferred<T> d([call](Deferred<T>&) {
    if (call->active()) call->cancel();
  });
  *call = reactor.callLater(delay, [d, fn = std::move(fn)]() mutable {
    maybeDeferred(fn).chainDeferred(d);
  });
  return d;
}

// If d has not fired within `timeout`, cancel it; the CancelledError that results becomes
// TimedOutError. Returns the same chain. (A canceller that fires d with its own result wins.)
template <class T>
Deferred<T> addTimeout(Deferred<T> d, Duration timeout, Reactor& reactor) {
  struct Timer {
    DelayedCall call;
    bool timedOut = false;
  };
  auto timer = std::make_shared<Timer>();
  // Weak both ways: d's chain owns the timer, and the timer must not keep d alive (a cycle
  // through the reactor's timer heap).
  std::weak_ptr<Timer> weakTimer = timer;
  std::weak_ptr<detail::DeferredState> weakD = detail::DeferredAccess::state(d);
  timer->call = reactor.callLater(timeout, [weakTimer, weakD] {
    auto t = weakTimer.lock();
    auto s = weakD.lock();
    if (t && s) {
      t->timedOut = true;
      detail::DeferredState::cancel(s);
    }
  });
  return d.addBoth([timer, timeout](Outcome<T> o) -> Outcome<T> {
    if (timer->call.active()) timer->call.cancel();
    if (!o.ok() && timer->timedOut && o.failure().template check<CancelledError>()) {
      return Failure(TimedOutError("Deferred timed out after " + std::to_string(timeout.count()) +
                                   " s"));
    }
    return o;
  });
}

// Runs fn() on the reactor's thread pool; the Deferred fires on the reactor thread with its
// result or what it threw.
template <class F>
auto deferToThread(Reactor& reactor, F fn) {
  using R = std::invoke_result_t<F&>;
  Deferred<R> d;
  Reactor* r = &reactor;
  reactor.callInThread([r, d, fn = std::move(fn)]() mutable {
    // Shared so the closure callFromThread takes stays copyable whatever R is.
    auto result = std::make_shared<std::optional<Outcome<R>>>();
    try {
      if constexpr (std::is_void_v<R>) {
        fn();
        result->emplace(Unit{});
      } else {
        result->emplace(fn());
      }
    } catch (...) {
      result->emplace(Failure(std::current_exception()));
    }
    r->callFromThread([d = std::move(d), result]() mutable {
      if ((*result)->ok()) {
        d.callback(std::move(**result).value());
      } else {
        d.errback((*result)->failure());
      }
    });
  });
  return d;
}

}  // namespace weft
