// weft's clock: monotonic, so a delayed call never fires early when the wall clock jumps.
#pragma once

#include <chrono>
#include <climits>
#include <optional>

namespace weft {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
// Seconds as a double, as in Twisted: callLater(0.25s, ...) or callLater(Duration(0.25), ...).
using Duration = std::chrono::duration<double>;

inline double toSeconds(TimePoint t) {
  return Duration(t.time_since_epoch()).count();
}

// A wait of `d` in a poller's unit (milliseconds for epoll, poll and QTimer; microseconds for
// select, kqueue, libevent and Asio), rounded up: a wait cut short by truncation would wake the
// loop before the deadline it waits for, for a wasted iteration. Negative waits are zero.
template <class Unit>
Unit roundUpTimeout(Duration d) {
  if (!(d.count() > 0)) return Unit(0);
  return std::chrono::ceil<Unit>(d);
}

// The int milliseconds epoll_wait, poll and QTimer take: rounded up, at most INT_MAX, and -1
// (block until woken) for no timeout.
inline int timeoutMilliseconds(std::optional<Duration> d) {
  if (!d) return -1;
  if (d->count() >= INT_MAX / 1000.0) return INT_MAX;
  return static_cast<int>(roundUpTimeout<std::chrono::milliseconds>(*d).count());
}

}  // namespace weft
