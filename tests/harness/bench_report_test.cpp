// A tiny `weft bench` run: the three report files exist and report.json follows its schema.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace weft::harness
