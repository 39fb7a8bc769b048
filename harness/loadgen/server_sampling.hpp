// What the load generator reads about a server around each of its measured slices: its CPU
// time (common/process.hpp) and its context switches, summed over every thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace weft::harness {

struct ContextSwitches {
  uint64_t voluntary = 0;    // the thread blocked (epoll_wait with nothing ready, a lock)
  uint64_t involuntary = 0;  // the scheduler took the CPU away (time slice over, preempted)
};

// Sums voluntary_ctxt_switches / nonvoluntary_ctxt_switches of /proc/PID/task/*/status (every
// thread: Asio's and Qt's helper threads count too). nullopt when the process is gone.
std::optional<ContextSwitches> readContextSwitches(pid_t pid);

}  // namespace weft::harness
