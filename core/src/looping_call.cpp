#include "weft/looping_call.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace weft {

struct LoopingCall::State : std::enable_shared_from_this<State> {
  State(Reactor& r, CountedFn f) : reactor(r), fn(std::move(f)) {}

  // The round (grid index) the clock is in now: start + round * interval <= now.
  int64_t roundNow() const {
    if (interval.count() <= 0) return lastRound + 1;
    return static_cast<int64_t>(std::floor((reactor.seconds() - startTime) / interval.count()));
  }

  void runCall() {
    call = DelayedCall();
    // Rounds missed since the last call are skipped, not replayed (Twisted's withCount).
    int64_t round = std::max(roundNow(), lastRound + 1);
    auto count = static_cast<uint64_t>(round - lastRound);
    skipped += count - 1;
    lastRound = round;
    ++calls;
    Deferred<void> d;
    try {
      d = fn(count);
    } catch (...) {
      d = fail<void>(Failure(std::current_exception()));
    }
    std::weak_ptr<State> weak = weak_from_this();
    d.addCallbacks(
        [weak] {
          auto s = weak.lock();
          if (!s) return;
          if (s->running) {
            s->schedule();
          } else {
            s->fireStopped();
          }
        },
        [weak](const Failure& f) {
          auto s = weak.lock();
          if (!s || !s->deferred) return;
          s->running = false;
          auto out = std::move(*s->deferred);
          s->deferred.reset();
          out.errback(f);
        });
  }

  void schedule() {
    Duration delay(0);
    if (interval.count() > 0) {
      // The next grid point after now: a call that overran waits for the next round.
      int64_t next = std::max(roundNow() + 1, lastRound + 1);
      double when = startTime + static_cast<double>(next) * interval.count();
      delay = Duration(std::max(0.0, when - reactor.seconds()));
    }
    std::weak_ptr<State> weak = weak_from_this();
    call = reactor.callLater(delay, [weak] {
      if (auto s = weak.lock()) s->runCall();
    });
  }

  void fireStopped() {
    if (!deferred) return;
    auto out = std::move(*deferred);
    deferred.reset();
    out.callback();
  }

  Reactor& reactor;
  CountedFn fn;
  Duration interval{0};
  double startTime = 0;
  int64_t lastRound = 0;
  bool running = false;
  std::optional<Deferred<void>> deferred;
  DelayedCall call;
  uint64_t calls = 0;
  uint64_t skipped = 0;
};

LoopingCall::LoopingCall(Reactor& reactor, CountedFn fn)
    : state_(std::make_shared<State>(reactor, std::move(fn))) {}

LoopingCall::~LoopingCall() {
  if (!state_) return;  // moved from
  state_->running = false;
  if (state_->call.active()) state_->call.cancel();
}

Deferred<void> LoopingCall::start(Duration interval, bool now) {
  if (state_->running) throw std::logic_error("LoopingCall already running");
  if (interval.count() < 0) throw std::logic_error("LoopingCall interval must be >= 0");
  State& s = *state_;
  s.running = true;
  s.interval = interval;
  s.startTime = s.reactor.seconds();
  s.deferred.emplace();
  Deferred<void> out = *s.deferred;
  // With now, the first call is round 0; without, round 1 (one interval from now).
  s.lastRound = now ? -1 : 0;
  if (now) {
    s.runCall();
  } else {
    s.schedule();
  }
  return out;
}

void LoopingCall::stop() {
  if (!state_->running) throw std::logic_error("LoopingCall is not running");
  state_->running = false;
  // Waiting for the next round: fire now. Inside a call (or waiting on its Deferred): the
  // call's completion fires it.
  if (state_->call.active()) {
    state_->call.cancel();
    state_->fireStopped();
  }
}

bool LoopingCall::running() const {
  return state_->running;
}
uint64_t LoopingCall::callCount() const {
  return state_->calls;
}
uint64_t LoopingCall::skippedIntervals() const {
  return state_->skipped;
}

}  // namespace weft
