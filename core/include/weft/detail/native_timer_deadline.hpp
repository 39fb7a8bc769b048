// The deadline a foreign loop's native timer (libevent's, Asio's) is armed for, and whether
// core's next deadline needs it re-armed. Foreign-loop backends ask after every native callback
// or batch, so the answer must usually be "keep": a pending timer that fires no later than the
// new deadline is kept (an early fire only makes core re-check the clock and re-arm), and so is
// one that is no longer needed.
#pragma once

#include <chrono>
#include <optional>

#include "weft/time.hpp"

namespace weft::detail {

class NativeTimerDeadline {
 public:
  // Whether the native timer must be armed for `timeout` from now (nullopt: no deadline, keep
  // what is armed). If so, it counts as armed for deadline() from here.
  bool needsArming(std::optional<Duration> timeout) {
    if (!timeout) return false;
    TimePoint deadline = deadlineIn(*timeout);
    if (armed_ && armedFor_ <= deadline + kSlack) return false;
    armed(deadline);
    return true;
  }
  // The native timer was armed for `deadline` unasked (a bounded wait of the backend's own).
  void armed(TimePoint deadline) {
    armed_ = true;
    armedFor_ = deadline;
  }
  // It fired, or was cancelled.
  void disarmed() { armed_ = false; }
  TimePoint deadline() const { return armedFor_; }

  static TimePoint deadlineIn(Duration timeout) {
    return Clock::now() + roundUpTimeout<Clock::duration>(timeout);
  }

 private:
  // Deadlines recomputed from "now" jitter by the time between two clock reads; re-arming for
  // that would cost a native timer update per callback. Late by at most this, never early.
  static constexpr std::chrono::microseconds kSlack{100};
  TimePoint armedFor_{};
  bool armed_ = false;
};

}  // namespace weft::detail
