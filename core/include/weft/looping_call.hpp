// LoopingCall: call a function every `interval` on the reactor thread (Twisted's
// task.LoopingCall).
// - start(interval, now) returns a Deferred<void> that stop() fires (or that fails with what
//   the function threw, which also stops the loop).
// - A function returning a Deferred<void> is waited for: the next call is scheduled once it
//   fires.
// - Calls keep to the grid start + k * interval. When a call (or the loop) ran late, the
//   intervals missed are skipped, not queued: withCount functions receive how many intervals
//   passed since the previous call, and skippedIntervals() totals the ones skipped.
// Use from the reactor thread; the reactor must outlive the LoopingCall.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>

#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"
#include "weft/reactor.hpp"

namespace weft {

class LoopingCall {
 public:
  // fn() returns void or Deferred<void>.
  template <class F>
    requires std::is_invocable_v<F&>
  LoopingCall(Reactor& reactor, F fn)
      : LoopingCall(reactor, [fn = std::move(fn)](uint64_t) mutable { return maybeDeferred(fn); }) {}
  // fn(count) returns void or Deferred<void>; count = intervals since the previous call.
  template <class F>
    requires(std::is_invocable_v<F&, uint64_t> && !std::is_invocable_v<F&>)
  static LoopingCall withCount(Reactor& reactor, F fn) {
    return LoopingCall(reactor, CountedFn([fn = std::move(fn)](uint64_t n) mutable {
                         return maybeDeferred([&] { return fn(n); });
                       }));
  }
  LoopingCall(LoopingCall&&) = default;
  LoopingCall& operator=(LoopingCall&&) = default;
  ~LoopingCall();  // cancels the pending call; the start() Deferred is not fired

  // Throws std::logic_error if already running or interval < 0.
  Deferred<void> start(Duration interval, bool now = true);
  // Throws std::logic_error if not running.
  void stop();
  bool running() const;
  uint64_t callCount() const;
  uint64_t skippedIntervals() const;

 private:
  using CountedFn = std::function<Deferred<void>(uint64_t)>;
  struct State;
  LoopingCall(Reactor& reactor, CountedFn fn);

  std::shared_ptr<State> state_;
};

}  // namespace weft
