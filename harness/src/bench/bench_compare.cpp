// weft bench compare OLD.json NEW.json: per-row throughput and CPU ratios; exit 1 if any row's
// throughput fell by more than the threshold (CPU per message is shown, not judged: it is
// noisier on shared machines), if a row of the old run is missing from the new one (a server
// or point that stopped being measured must not pass as "no regression"), or if nothing could
// be compared at all.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <map>

#include "bench/bench_command.hpp"
#include "bench/bench_model.hpp"
#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"

namespace weft::harness {

namespace {

Report load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("weft bench compare: cannot read " + path);
  try {
    return reportFromJson(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw UsageError("weft bench compare: " + path + ": " + e.what());
  }
}

}  // namespace

void addCompareOptions(CLI::App& app, CompareOptions& o) {
  app.add_option("old", o.oldPath, "the earlier report.json")->required();
  app.add_option("new", o.newPath, "the later report.json")->required();
  app.add_option("--threshold", o.threshold, "allowed throughput drop (0.10 = 10%)");
}

int runCompare(const CompareOptions& o) {
  Report before = load(o.oldPath), after = load(o.newPath);
  std::map<std::string, const Row*> old;
  for (const auto& r : before.rows) old[r.server + " " + r.point.key()] = &r;
  std::printf("%-16s %-26s %12s %12s %8s %8s  %s\n", "server", "point", "old msg/s", "new msg/s",
              "ratio", "cpu", "verdict");
  int regressions = 0, compared = 0;
  for (const auto& r : after.rows) {
    auto it = old.find(r.server + " " + r.point.key());
    if (it == old.end()) continue;
    const Row& b = *it->second;
    if (b.msgsMedian <= 0 || !r.failure.empty()) {
      if (!r.failure.empty()) {
        std::printf("%-16s %-26s failed: %s\n", r.server.c_str(), r.point.key().c_str(),
                    r.failure.c_str());
        ++regressions;
      }
      continue;
    }
    ++compared;
    double ratio = r.msgsMedian / b.msgsMedian;
    double cpu = b.cpuUsPerMsg > 0 ? r.cpuUsPerMsg / b.cpuUsPerMsg : 0;
    bool regressed = ratio < 1.0 - o.threshold;
    regressions += regressed;
    std::printf("%-16s %-26s %12.0f %12.0f %7.2fx %7.2fx  %s\n", r.server.c_str(),
                r.point.key().c_str(), b.msgsMedian, r.msgsMedian, ratio, cpu,
                regressed ? "REGRESSED" : "ok");
  }
  std::map<std::string, bool> present;
  for (const auto& r : after.rows) present[r.server + " " + r.point.key()] = true;
  int missing = 0;
  for (const auto& r : before.rows) {
    if (present.count(r.server + " " + r.point.key())) continue;
    std::printf("%-16s %-26s MISSING from the new run\n", r.server.c_str(), r.point.key().c_str());
    ++missing;
  }
  std::printf("\n%d rows compared, %d regressed by more than %.0f%%, %d missing\n", compared,
              regressions, o.threshold * 100, missing);
  if (compared == 0) {
    std::fprintf(stderr, "weft bench compare: no row of %s was measured in %s: nothing compared\n",
                 o.oldPath.c_str(), o.newPath.c_str());
  }
  return regressions > 0 || missing > 0 || compared == 0 ? kExitFailure : kExitOk;
}

}  // namespace weft::harness
