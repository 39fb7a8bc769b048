// The load generator's engine: a minimal single-threaded raw-epoll client, independent of every
// weft backend. N connections each keep `depth` messages in flight (1 = ping-pong), verify every
// echoed byte against what they sent, and time each message from send to complete reply.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/histogram.hpp"
#include "common/wire.hpp"

namespace weft::harness {

struct LoadConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  WireFormat wire;  // lenprefix = u32le, line = "\n"
  size_t size = 64;  // payload bytes per message
  int connections = 1;
  int depth = 1;
  double warmupSeconds = 1.0;
  double durationSeconds = 3.0;
  pid_t serverPid = 0;  // if set, its CPU time and peak RSS are sampled around the window
};

struct LoadResult {
  uint64_t messages = 0;  // complete, verified replies inside the measured window
  double seconds = 0;
  uint64_t errors = 0;          // connections lost or refused
  uint64_t verifyFailures = 0;  // reply bytes that differ from what was sent
  Histogram latency;            // ns, send -> complete reply
  double serverCpuSeconds = -1;
  long serverVmHwmKb = -1;
  std::string error;  // a fatal setup problem (connect failed)

  double messagesPerSecond() const { return seconds > 0 ? double(messages) / seconds : 0; }
};

LoadResult runLoad(const LoadConfig& cfg);

}  // namespace weft::harness
