// DelayedCall: the handle callLater() returns (Twisted's IDelayedCall).
// Use it only on the reactor thread, and only while its reactor exists.
#pragma once

#include <functional>
#include <memory>

#include "weft/time.hpp"

namespace weft {

namespace detail {
class TimerHeap;
struct TimerEntry {
  TimePoint when;
  uint64_t seq = 0;  // FIFO tie-break; bumped on reset so stale heap slots are recognised
  std::function<void()> fn;
  TimerHeap* heap = nullptr;  // null once the heap is gone
  bool cancelled = false;
  bool called = false;
};
}  // namespace detail

class DelayedCall {
 public:
  DelayedCall() = default;
  explicit DelayedCall(std::shared_ptr<detail::TimerEntry> e) : entry_(std::move(e)) {}

  // True until the call has run or been cancelled.
  bool active() const;
  // Throws Error(AlreadyCalled | AlreadyCancelled) when not active, as Twisted does.
  void cancel();
  // Reschedule to run `fromNow` after the current time.
  void reset(Duration fromNow);
  // Push the deadline back (or forward, if negative) by `by`.
  void delay(Duration by);
  // Deadline in the reactor's seconds() clock.
  double getTime() const;

 private:
  void requireActive() const;
  std::shared_ptr<detail::TimerEntry> entry_;
};

}  // namespace weft
