// weft's clock: monotonic, so a delayed call never fires early when the wall clock jumps.
#pragma once

#include <chrono>

namespace weft {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
// Seconds as a double, as in Twisted: callLater(0.25s, ...) or callLater(Duration(0.25), ...).
using Duration = std::chrono::duration<double>;

inline double toSeconds(TimePoint t) {
  return Duration(t.time_since_epoch()).count();
}

}  // namespace weft
