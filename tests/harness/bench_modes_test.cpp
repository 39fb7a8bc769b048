// `weft bench`'s other axes in one tiny run: idle connections beside the active ones (select
// refuses those beyond FD_SETSIZE, and the row says so), the open loop at a fraction of each
// server's peak, context switches per message, the command line and the raw histograms.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::readFile;
using testing::runWeft;

const nlohmann::json* findRow(const nlohmann::json& rows, const std::string& server, int idle,
                              int loadPercent) {
  for (const auto& r : rows) {
    if (r["server"] == server && r.value("idle", 0) == idle &&
        r.value("load_percent", 0) == loadPercent) {
      return &r;
    }
  }
  return nullptr;
}

TEST(BenchModes, IdleOpenLoopSwitchesAndHistograms) {
  testing::TempDir tmp;
  std::string dir = tmp.path() + "/report", hist = tmp.path() + "/hist";
  // 1100 idle beside 2 active: more fds than select's FD_SETSIZE (1024) in the server.
  auto r = runWeft({"bench",     "--reactor",
                    "select",    "--reference",
                    "raw-epoll", "--protocol",
                    "lenprefix", "--size",
                    "64",        "--connections",
                    "2",         "--depth",
                    "1",         "--idle",
                    "1100",      "--idle-active",
                    "2",         "--open-loop",
                    "50",        "--open-loop-connections",
                    "2",         "--open-loop-depth",
                    "4",         "--duration",
                    "0.15",      "--warmup",
                    "0.05",      "--repeats",
                    "1",         "--open-loop-repeats",
                    "1",         "--open-loop-duration",
                    "0.2",       "--histograms",
                    hist,        "--report",
                    dir},
                   300);
  ASSERT_EQ(r.exitCode(), 0) << r.out << r.err;
  auto j = nlohmann::json::parse(readFile(dir + "/report.json"));
  EXPECT_NE(j["config"]["command_line"].get<std::string>().find("--idle 1100"), std::string::npos)
      << j["config"].dump();
  for (const char* server : {"select", "ref:raw-epoll"}) {
    const auto* closed = findRow(j["rows"], server, 0, 0);
    ASSERT_TRUE(closed) << server;
    // Ping-pong: the server sleeps in its poller between messages, so it switches voluntarily.
    EXPECT_GT((*closed)["server_cs_per_msg"]["voluntary"].get<double>(), 0) << closed->dump();
    EXPECT_TRUE((*closed)["server_cs_per_msg"].contains("involuntary"));

    const auto* idle = findRow(j["rows"], server, 1100, 0);
    ASSERT_TRUE(idle) << server;
    EXPECT_FALSE(idle->contains("failure")) << idle->dump();
    EXPECT_EQ((*idle)["idle_opened"], 1100);
    EXPECT_GT((*idle)["msgs_per_s"]["median"].get<double>(), 0);

    const auto* open = findRow(j["rows"], server, 0, 50);
    ASSERT_TRUE(open) << server;
    EXPECT_FALSE(open->contains("failure")) << open->dump();
    const auto* peak = findRow(j["rows"], server, 0, 0);
    for (const auto& row : j["rows"]) {
      if (row["server"] == server && row["depth"] == 4 && !row.contains("load_percent"))
        peak = &row;
    }
    double peakRate = (*peak)["msgs_per_s"]["median"].get<double>();
    EXPECT_NEAR((*open)["offered_msgs_per_s"].get<double>(), peakRate / 2, peakRate * 1e-6);
    EXPECT_GE((*open)["latency_us"]["max"].get<double>(),
              (*open)["latency_us"]["p999"].get<double>());
  }
  // select's server closes the idle connections it cannot watch; epoll's keeps them all.
  EXPECT_GT((*findRow(j["rows"], "select", 1100, 0))["idle_refused"].get<long>(), 0);
  EXPECT_EQ((*findRow(j["rows"], "ref:raw-epoll", 1100, 0))["idle_refused"].get<long>(), 0);
  std::string md = readFile(dir + "/report.md");
  EXPECT_NE(md.find("beyond FD_SETSIZE"), std::string::npos) << md;
  EXPECT_NE(md.find("## Open loop"), std::string::npos) << md;
  // One raw histogram file per row, named by server and point.
  std::string h = readFile(hist + "/select_lenprefix_64B_c2_d1.txt");
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.rfind("# select lenprefix/64B/c2/d1", 0), 0u) << h.substr(0, 80);
}

}  // namespace
}  // namespace weft::harness
