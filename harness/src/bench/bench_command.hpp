// weft bench: the throughput/latency matrix against the reference servers, the report
// (report.json, report.md, index.html), and `weft bench compare OLD NEW`.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace weft::harness {

struct BenchOptions {
  std::string reactors = "all";
  std::string protocols = "echo,lenprefix,line";
  std::string sizes = "64,4096";
  std::string connections = "1,64";
  std::string depths = "1,16";
  std::string references = "all";  // reference servers: all, none, or a comma list
  double duration = 0.4;           // measured seconds per repeat (default matrix <= 10 min)
  double warmup = 0.2;
  int repeats = 3;
  std::string reportDir;
  int serverCpu = 0;
  int clientCpu = 1;
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
