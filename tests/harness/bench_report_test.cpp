// A tiny `weft bench` run: the three report files exist and report.json follows its schema.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "bench/bench_model.hpp"
#include "bench_fixture.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::readFile;
using testing::runWeft;

TEST(BenchReport, TinyRunWritesSchemaCheckedReport) {
  const std::string& dir = testing::tinyReportDir();
  ASSERT_FALSE(dir.empty());
  auto j = nlohmann::json::parse(readFile(dir + "/report.json"));
  EXPECT_EQ(j["schema"], "weft-bench/1");
  EXPECT_EQ(j["baseline"], "ref:raw-epoll");
  for (const char* k : {"hostname", "cpu_model", "cpus", "kernel"}) {
    EXPECT_TRUE(j["machine"].contains(k)) << k;
  }
  for (const char* k : {"compiler", "build_type", "flags", "commit"}) {
    EXPECT_TRUE(j["build"].contains(k)) << k;
  }
  ASSERT_EQ(j["rows"].size(), 4u);  // {epoll, raw-epoll} x {depth 1, depth 4}
  for (const auto& row : j["rows"]) {
    EXPECT_FALSE(row.contains("failure")) << row.dump();
    EXPECT_GT(row["msgs_per_s"]["median"].get<double>(), 0) << row.dump();
    EXPECT_EQ(row["msgs_per_s"]["repeats"].size(), 3u);
    EXPECT_LE(row["msgs_per_s"]["min"].get<double>(), row["msgs_per_s"]["median"].get<double>());
    EXPECT_GE(row["msgs_per_s"]["max"].get<double>(), row["msgs_per_s"]["median"].get<double>());
    for (const char* k : {"p50", "p99", "p999"}) EXPECT_GT(row["latency_us"][k].get<double>(), 0);
    EXPECT_GT(row["server_cpu_us_per_msg"].get<double>(), 0);
    EXPECT_GT(row["server_peak_rss_kb"].get<long>(), 0);
    EXPECT_EQ(row["verify_failures"], 0);
    EXPECT_GT(row["ratio_vs_baseline"]["throughput"].get<double>(), 0);
    if (row["server"] == "ref:raw-epoll") {
      EXPECT_DOUBLE_EQ(row["ratio_vs_baseline"]["throughput"].get<double>(), 1.0);
    }
  }
  std::string md = readFile(dir + "/report.md");
  EXPECT_NE(md.find("| x raw |"), std::string::npos) << md;
  EXPECT_NE(md.find("ref:raw-epoll"), std::string::npos);
  std::string html = readFile(dir + "/index.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "index.html must be self-contained";
}

TEST(BenchReport, CompareFlagsARegression) {
  const std::string& dir = testing::tinyReportDir();
  ASSERT_FALSE(dir.empty());
  auto same = runWeft({"bench", "compare", dir + "/report.json", dir + "/report.json"}, 60);
  EXPECT_EQ(same.exitCode(), 0) << same.out << same.err;
  // Halve every throughput: every row regressed.
  auto j = nlohmann::json::parse(readFile(dir + "/report.json"));
  for (auto& row : j["rows"]) {
    row["msgs_per_s"]["median"] = row["msgs_per_s"]["median"].get<double>() / 2;
  }
  std::string slower = dir + "/slower.json";
  std::ofstream(slower) << j.dump();
  auto worse = runWeft({"bench", "compare", dir + "/report.json", slower}, 60);
  EXPECT_EQ(worse.exitCode(), 1) << worse.out;
  EXPECT_NE(worse.out.find("REGRESSED"), std::string::npos);
}

// Each reactor is also divided by the server written directly on its library, when that server
// ran at the same point; rows without one (epoll, the references) get none.
TEST(BenchReport, ReactorsAreComparedWithTheirNativeServer) {
  const auto row = [](std::string server, std::string kind, int size, double msgs, double cpu) {
    Row x;
    x.server = std::move(server);
    x.kind = std::move(kind);
    x.point = {"echo", size, 64, 1};
    x.msgsMedian = msgs;
    x.cpuUsPerMsg = cpu;
    return x;
  };
  Report r;
  for (auto* part : {&r.machine, &r.build, &r.config}) *part = nlohmann::json::object();
  r.rows = {
      row("libevent", "reactor", 64, 150e3, 6.0), row("ref:libevent", "reference", 64, 100e3, 9.0),
      row("ref:raw-epoll", "reference", 64, 160e3, 5.0), row("epoll", "reactor", 64, 160e3, 5.0),
      // At 4 KiB the native server failed: no native ratio there.
      row("libevent", "reactor", 4096, 90e3, 8.0), row("ref:libevent", "reference", 4096, 0, 0)};
  r.rows.back().failure = "server did not start";
  computeRatios(r);
  EXPECT_EQ(r.rows[0].native, "ref:libevent");
  EXPECT_DOUBLE_EQ(r.rows[0].ratioNativeThroughput, 1.5);
  EXPECT_NEAR(r.rows[0].ratioNativeCpu, 6.0 / 9.0, 1e-12);
  EXPECT_NEAR(r.rows[0].ratioThroughput, 150.0 / 160.0, 1e-12);
  for (size_t i : {1, 2, 3, 4}) EXPECT_TRUE(r.rows[i].native.empty()) << r.rows[i].server;
  EXPECT_EQ(r.rows[4].ratioNativeThroughput, 0);

  auto j = reportToJson(r);
  EXPECT_EQ(j["rows"][0]["ratio_vs_native"]["server"], "ref:libevent");
  EXPECT_DOUBLE_EQ(j["rows"][0]["ratio_vs_native"]["throughput"].get<double>(), 1.5);
  EXPECT_FALSE(j["rows"][3].contains("ratio_vs_native"));
  // report.json read back (weft bench compare) recomputes the same ratios.
  EXPECT_EQ(reportFromJson(j).rows[0].native, "ref:libevent");

  std::string md = renderMarkdown(r);
  EXPECT_NE(md.find("| echo | 64 B, 64 conn, depth 1 | libevent | ref:libevent | 1.50x | 0.67x |"),
            std::string::npos)
      << md;
  EXPECT_NE(renderHtml(r).find("<th>x native</th>"), std::string::npos);
}

// Each repeat measures every server of the point in turns, so its ratio is taken within the
// repeat and the reported ratio is the median of those: a repeat that caught the machine slow
// slows both servers of the pair and leaves their ratio alone.
TEST(BenchReport, RatiosArePairedWithinEachRepeat) {
  const auto row = [](std::string server, std::vector<double> msgs, std::vector<double> cpu) {
    Row x;
    x.server = std::move(server);
    x.kind = x.server.rfind("ref:", 0) == 0 ? "reference" : "reactor";
    x.point = {"lenprefix", 64, 64, 1};
    x.msgsPerSecond = msgs;
    x.msgsMedian = median(msgs);
    x.cpuPerRepeat = cpu;
    x.cpuUsPerMsg = median(cpu);
    return x;
  };
  Report r;
  for (auto* part : {&r.machine, &r.build, &r.config}) *part = nlohmann::json::object();
  // The machine ran at full speed, then at half, then at 0.7: the reactor is at 0.96x the
  // baseline in every repeat, yet its median (96) over the baseline's median (70) is 1.37x.
  r.rows = {row("ref:raw-epoll", {100, 50, 70}, {5.0, 10.0, 7.0}),
            row("epoll", {96, 48, 67.2}, {5.1, 10.2, 7.14})};
  computeRatios(r);
  EXPECT_NEAR(r.rows[1].ratioThroughput, 0.96, 1e-12);
  EXPECT_NEAR(r.rows[1].ratioCpu, 1.02, 1e-12);
  // report.json keeps the repeats, so a report read back pairs them the same way.
  Report back = reportFromJson(reportToJson(r));
  EXPECT_NEAR(back.rows[1].ratioThroughput, 0.96, 1e-12);
  EXPECT_NEAR(back.rows[1].ratioCpu, 1.02, 1e-12);
  // Unequal repeat counts cannot be paired: the medians are compared.
  r.rows[1].msgsPerSecond.pop_back();
  computeRatios(r);
  EXPECT_NEAR(r.rows[1].ratioThroughput, r.rows[1].msgsMedian / 70.0, 1e-12);
}

}  // namespace
}  // namespace weft::harness
