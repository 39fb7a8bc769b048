// What `weft bench` measures and publishes: one Row per (server, point), aggregated over
// repeats, plus the machine and build it ran on. report.json is this, serialised
// (schema "weft-bench/1", documented in harness/README.md).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace weft::harness {

struct Point {
  std::string protocol;
  int size = 64;
  int connections = 1;
  int depth = 1;
  int idle = 0;             // idle connections beside the active ones (libev's fd-cost axis)
  int loadPercent = 0;      // open loop at this % of the server's closed-loop peak; 0 = closed loop
  std::string key() const;  // "lenprefix/64B/c1/d1", then "/i1000" and "/open50" if set
  std::string label() const;  // "64 B, 1 conn, depth 1", then ", 1000 idle" / ", open 50%"
};

struct Spread {
  double min = 0, max = 0;
};

struct Row {
  std::string server;  // "epoll", "ref:raw-epoll", "ref:libevent", ...
  std::string kind;    // "reactor" or "reference"
  Point point;
  std::vector<double> msgsPerSecond;  // one per repeat
  double msgsMedian = 0, msgsMin = 0, msgsMax = 0;
  double mbPerSecond = 0;
  double p50 = 0, p99 = 0, p999 = 0;  // microseconds, medians over repeats
  double maxLatency = 0;              // microseconds, the largest over repeats
  double offeredRate = 0;             // open loop: messages/s asked for (loadPercent of peak)
  // Server context switches per message (all threads, /proc/PID/task/*/status), medians;
  // -1 when not sampled (a report from before they were).
  double voluntaryCsPerMsg = -1, involuntaryCsPerMsg = -1;
  long idleOpened = 0, idleRefused = 0;      // idle connections the server accepted / closed
  std::map<uint64_t, uint64_t> histogramNs;  // raw latency histogram over every repeat
  double cpuUsPerMsg = 0;                    // server CPU time per message, median
  std::vector<double> cpuPerRepeat;          // server CPU time per message, one per repeat
  double cpuUtil = 0;                        // server CPU seconds per wall second, median
  long peakRssKb = 0;                        // server VmHWM
  long errors = 0;
  long verifyFailures = 0;
  std::string failure;  // the server did not start, the load generator failed
  // Ratios are medians over the repeats of each repeat's ratio: a repeat measures every server
  // of the point in turns, under the same conditions (see harness/loadgen/load_client.hpp).
  double ratioThroughput = 0;  // vs ref:raw-epoll at the same point (0 = no baseline)
  double ratioCpu = 0;
  Spread ratioThroughputSpread, ratioCpuSpread;  // min-max of the per-repeat ratios
  // A reactor against the server written directly on the library it runs on (libevent vs
  // ref:libevent, asio vs ref:asio, qt vs ref:qt) at the same point: what the abstraction
  // costs. Empty / 0 when that server was not measured.
  std::string native;
  double ratioNativeThroughput = 0;
  double ratioNativeCpu = 0;
  Spread ratioNativeThroughputSpread, ratioNativeCpuSpread;
};

struct Report {
  nlohmann::json machine;
  nlohmann::json build;
  nlohmann::json config;
  std::vector<Row> rows;
};

inline constexpr const char* kBaseline = "ref:raw-epoll";
// The reactor the baseline is the hand-written form of: measured right after it.
inline constexpr const char* kBaselinePartner = "epoll";
// Servers given with `weft bench --server NAME=CMD`: any program honouring the serve contract.
inline constexpr const char* kExternalKind = "external";
// The reference server a reactor is compared with beside the baseline: "ref:<reactor>".
inline std::string nativeServerOf(const std::string& reactor) {
  return "ref:" + reactor;
}

nlohmann::json reportToJson(const Report& r);
Report reportFromJson(const nlohmann::json& j);
nlohmann::json describeMachine();
nlohmann::json describeBuild();
void computeRatios(Report& r);
double median(std::vector<double> v);

std::string renderMarkdown(const Report& r);
std::string renderSummaryHtml(const Report& r);  // the colour-scaled grid and verdicts
std::string renderHtml(const Report& r);

}  // namespace weft::harness
