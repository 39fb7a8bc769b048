// `weft bench compare` fails when the new run lost rows of the old one, and when it compared
// nothing; it passes a run compared with itself. Built from report.json files written here, so
// it needs no benchmark run.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "bench/bench_model.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::runWeft;

Row row(const std::string& server, int connections, double msgs) {
  Row x;
  x.server = server;
  x.kind = server.rfind("ref:", 0) == 0 ? "reference" : "reactor";
  x.point = {"echo", 64, connections, 1};
  x.msgsMedian = msgs;
  x.cpuUsPerMsg = 5;
  return x;
}

std::string write(const testing::TempDir& dir, const std::string& name, std::vector<Row> rows) {
  Report r;
  for (auto* part : {&r.machine, &r.build, &r.config}) *part = nlohmann::json::object();
  r.rows = std::move(rows);
  std::string path = dir.path() + "/" + name;
  std::ofstream(path) << reportToJson(r).dump();
  return path;
}

TEST(BenchCompare, FailsOnMissingRowsAndWhenNothingWasCompared) {
  testing::TempDir dir;
  std::string full =
      write(dir, "full.json",
            {row("epoll", 1, 100e3), row("ref:raw-epoll", 1, 100e3), row("epoll", 64, 200e3)});
  auto same = runWeft({"bench", "compare", full, full}, 60);
  EXPECT_EQ(same.exitCode(), 0) << same.out << same.err;
  EXPECT_NE(same.out.find("3 rows compared"), std::string::npos) << same.out;

  // The 64-connection row is gone: that must not read as "no regression".
  std::string partial =
      write(dir, "partial.json", {row("epoll", 1, 100e3), row("ref:raw-epoll", 1, 100e3)});
  auto lost = runWeft({"bench", "compare", full, partial}, 60);
  EXPECT_EQ(lost.exitCode(), 1) << lost.out;
  EXPECT_NE(lost.out.find("MISSING"), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find("epoll            echo/64B/c64/d1"), std::string::npos) << lost.out;

  // An old report without rows: nothing was compared, which is no verdict.
  std::string empty = write(dir, "empty.json", {});
  auto nothing = runWeft({"bench", "compare", empty, full}, 60);
  EXPECT_EQ(nothing.exitCode(), 1) << nothing.out;
  EXPECT_NE(nothing.err.find("nothing compared"), std::string::npos) << nothing.err;
}

}  // namespace
}  // namespace weft::harness
