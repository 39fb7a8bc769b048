// The load generator's engine: a minimal single-threaded raw-epoll client, independent of every
// weft backend. N connections each keep `depth` messages in flight (1 = ping-pong), verify every
// echoed byte against what they sent, and time each message from send to complete reply.
//
// Open loop (LoadTarget::rate > 0, wrk2's method): each connection sends on a fixed schedule
// whatever the replies do, and a message's latency runs from the time it was *meant* to be sent.
// A closed loop sends the next message only after a reply, so a server that stalls is simply
// sent less and its stall touches one message per connection (coordinated omission); on a
// schedule, every message due during the stall waits for it and is counted so.
//
// Several servers can be measured in one run. They take turns in short slices (round-robin),
// so a disturbance of the shared machine that lasts longer than a slice hits every server alike
// and cancels in their ratios; measured one after the other, a 1-second burst of other work
// lands on one server's run only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/histogram.hpp"
#include "common/wire.hpp"

namespace weft::harness {

struct LoadTarget {
  uint16_t port = 0;
  pid_t serverPid = 0;  // if set, its CPU time during its slices and its peak RSS are sampled
  // Open loop: messages per second over all of this target's connections, sent on a schedule
  // (depth is then no limit). 0 = closed loop, `depth` in flight per connection.
  double rate = 0;
};

struct LoadConfig {
  std::string host = "127.0.0.1";
  std::vector<LoadTarget> targets;
  WireFormat wire;      // lenprefix = u32le, line = "\n"
  size_t size = 64;     // payload bytes per message
  int connections = 1;  // per target
  int depth = 1;
  // Connections per target opened before the load and never used (libev's benchmark: the cost
  // of watching fds that are not ready). A server may refuse some (select beyond FD_SETSIZE).
  int idle = 0;
  bool keepHistogram = false;    // LoadResult::latency's buckets go into the JSON record
  double warmupSeconds = 1.0;    // per target, not measured
  double durationSeconds = 3.0;  // measured, per target
  // How long one target is driven before the next takes its turn. Each slice ends by waiting
  // for every reply in flight, so a slice's messages over its time is the target's rate.
  double sliceSeconds = 0.02;
  // The length of one turn in a phase of `phaseSeconds` per target: a target alone is driven
  // for the whole phase at once.
  double turnSeconds(double phaseSeconds) const {
    return targets.size() > 1 && sliceSeconds > 0 ? sliceSeconds : phaseSeconds;
  }
  double drainTimeoutSeconds = 5.0;  // a slice's replies must arrive within this
};

struct LoadResult {
  uint64_t messages = 0;         // complete, verified replies inside the measured slices
  double seconds = 0;            // the measured slices' time, first send to last reply
  uint64_t errors = 0;           // connections lost or refused
  uint64_t verifyFailures = 0;   // reply bytes that differ from what was sent
  Histogram latency;             // ns, (intended) send -> complete reply
  double serverCpuSeconds = -1;  // during the measured slices
  // The server's context switches during the measured slices (-1: not sampled).
  int64_t voluntarySwitches = -1, involuntarySwitches = -1;
  uint64_t idleOpened = 0;   // idle connections established
  uint64_t idleRefused = 0;  // of those, closed by the server (not counted in errors)
  long serverVmHwmKb = -1;
  std::string error;  // a fatal problem for this target (connect failed, no reply)

  double messagesPerSecond() const { return seconds > 0 ? double(messages) / seconds : 0; }
};

// One result per target, in the order of cfg.targets.
std::vector<LoadResult> runLoad(const LoadConfig& cfg);

}  // namespace weft::harness
