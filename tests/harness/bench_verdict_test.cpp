// How `weft bench` judges what weft-loadgen reports: a record with a field missing is an error
// (never a 0 in the report), and a row with lost connections or mismatched replies makes the
// run exit 1, proven end to end against a server that closes its connections early.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "bench/loadgen_record.hpp"
#include "load_json.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::runWeft;

// A record as weft-loadgen writes it (load_json.hpp), with a server PID as bench passes one.
nlohmann::json completeRecord() {
  LoadConfig cfg;
  cfg.wire.wire = Wire::LenPrefix;
  LoadTarget target{4000, 1234};
  LoadResult r;
  r.messages = 10;
  r.seconds = 0.1;
  r.latency.record(5000);
  r.serverCpuSeconds = 0.01;
  r.serverVmHwmKb = 2048;
  return toJson(cfg, target, r);
}

TEST(BenchVerdict, ACompleteRecordIsAccepted) {
  EXPECT_EQ(loadgenRecordProblem(completeRecord()), "");
}

TEST(BenchVerdict, EveryMissingFieldIsNamed) {
  for (const char* key : {"msgs_per_s", "mb_per_s", "errors", "verify_failures",
                          "server_cpu_us_per_msg", "server_cpu_util", "server_vm_hwm_kb"}) {
    auto j = completeRecord();
    j.erase(key);
    EXPECT_EQ(loadgenRecordProblem(j), std::string("load generator record lacks '") + key + "'");
    j = completeRecord();
    j[key] = "fast";  // present but not a number
    EXPECT_EQ(loadgenRecordProblem(j), std::string("load generator record lacks '") + key + "'");
  }
  for (const char* key : {"p50", "p99", "p999", "max"}) {
    auto j = completeRecord();
    j["latency_us"].erase(key);
    EXPECT_EQ(loadgenRecordProblem(j),
              std::string("load generator record lacks 'latency_us.") + key + "'");
  }
  auto j = completeRecord();
  j.erase("latency_us");
  EXPECT_EQ(loadgenRecordProblem(j), "load generator record lacks 'latency_us.p50'");
  EXPECT_NE(loadgenRecordProblem(nlohmann::json::array()), "");
}

// Lost connections or mismatched replies are named before the fields they may leave out.
TEST(BenchVerdict, LostConnectionsAndMismatchesAreNamed) {
  auto j = completeRecord();
  j["errors"] = 2;
  j.erase("server_cpu_us_per_msg");
  EXPECT_EQ(loadgenRecordProblem(j), "2 connections lost or refused");
  j["verify_failures"] = 1;
  EXPECT_EQ(loadgenRecordProblem(j), "1 replies differed from what was sent");
}

TEST(BenchVerdict, TheLoadGeneratorsOwnErrorIsKept) {
  auto j = completeRecord();
  j["error"] = "replies still missing 5 s after the load stopped";
  EXPECT_EQ(loadgenRecordProblem(j), "replies still missing 5 s after the load stopped");
}

TEST(BenchVerdict, RowsWithErrorsOrMismatchesFail) {
  Row row;
  EXPECT_EQ(rowProblem(row), "");
  row.errors = 2;
  EXPECT_EQ(rowProblem(row), "2 connections lost or refused");
  row.verifyFailures = 1;
  EXPECT_EQ(rowProblem(row), "1 replies differed from what was sent");
  row.failure = "server did not start";
  EXPECT_EQ(rowProblem(row), "server did not start");
}

// A server that closes each connection after 2 replies (few enough to be reached at any
// speed, ASan's included): the load generator's record carries errors and nothing else wrong;
// before, `weft bench` exited 0 with that row in its report.
TEST(BenchVerdict, BenchExitsOneWhenARowLostConnections) {
  const std::vector<std::string> args = {
      "bench",  "--reactor", "epoll",         "--reference", "none",    "--protocol", "lenprefix",
      "--size", "64",        "--connections", "2",           "--depth", "1",          "--duration",
      "0.1",    "--warmup",  "0.02",          "--repeats",   "1"};
  auto good = runWeft(args, 120);
  EXPECT_EQ(good.exitCode(), 0) << good.out << good.err;
  auto faulty = args;
  faulty.push_back("--serve-fault");
  faulty.push_back("close-after=2");
  auto bad = runWeft(faulty, 120);
  EXPECT_EQ(bad.exitCode(), 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("epoll lenprefix/64B/c2/d1: 2 connections lost or refused"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace weft::harness
