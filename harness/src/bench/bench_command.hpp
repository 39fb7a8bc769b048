// weft bench: the throughput/latency matrix against the reference servers, the report
// (report.json, report.md, index.html), and `weft bench compare OLD NEW`.
#pragma once

#include <string>
#include <vector>

#include "common/wire.hpp"

namespace CLI {
class App;
}

namespace weft::harness {

struct BenchOptions {
  std::string reactors = "all";
  std::string protocols = joinedWireNames(",", kBenchWires);
  std::string sizes = "64,4096";
  std::string connections = "1,64";
  std::string depths = "1,16";
  std::string references = "all";  // reference servers: all, none, or a comma list
  // Five short repeats rather than three long ones in the same <= 10 minutes: on a shared
  // machine a burst of someone else's work spoils one repeat, and the median of five shrugs
  // off two such repeats where the median of three shrugs off one.
  double duration = 0.25;  // measured seconds per server and repeat
  double warmup = 0.1;
  // Within a repeat the servers take turns of this long (see harness/loadgen/load_client.hpp):
  // short enough that a disturbance of the machine spans several servers' turns.
  double slice = 0.02;
  int repeats = 5;
  std::string reportDir;
  int serverCpu = 0;
  int clientCpu = 1;
  // Any program honouring the serve contract, as NAME=CMD (harness/README.md "Any server").
  std::vector<std::string> servers;
  // Open loop (wrk2's method): each server's closed-loop peak at openLoopConnections x
  // openLoopDepth, then a constant rate of these percentages of it. "" = no open loop.
  std::string openLoop;
  int openLoopConnections = 16;
  int openLoopDepth = 16;
  double openLoopDuration = 0.5;
  int openLoopRepeats = 3;
  // libev's axis: idleConnections active (ping-pong) plus each of these idle. "" = none.
  std::string idle;
  int idleConnections = 64;
  // 10,000 idle connections take ~3 s to open per server and repeat: fewer repeats than the
  // matrix's.
  int idleRepeats = 3;
  // Render report.md / index.html from this report.json instead of measuring.
  std::string renderFrom;
  std::string histogramsDir;  // the raw latency histogram of every row, one file each
  std::string serveFault;  // hidden: weft serve --fault NAME (harness/README.md, tests only)
};

struct CompareOptions {
  std::string oldPath;
  std::string newPath;
  double threshold = 0.10;  // a row regressed if new < (1 - threshold) x old
};

void addBenchOptions(CLI::App& app, BenchOptions& o);
void addCompareOptions(CLI::App& app, CompareOptions& o);
int runBench(const BenchOptions& o);
int runCompare(const CompareOptions& o);

}  // namespace weft::harness
