// weft-loadgen's engine driving several servers in turns: each server's record is its own
// (messages, time, CPU), and a server that refuses or stops answering fails alone, by name,
// within the drain bound, while the others are measured.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>

#include "common/process.hpp"
#include "common/reserved_port.hpp"
#include "load_client.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

struct EchoServer {
  Child child;
  uint16_t port = 0;
};

EchoServer startServer(const char* reactor) {
  EchoServer s;
  s.child =
      spawn({WEFT_EXE, "serve", "--reactor", reactor, "--protocol", "lenprefix", "--port", "0"});
  auto line = s.child.readLine(Seconds(30));
  EXPECT_TRUE(line && line->rfind("listening on ", 0) == 0);
  if (line) s.port = static_cast<uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
  return s;
}

LoadConfig config() {
  LoadConfig cfg;
  cfg.wire.wire = *parseWire("lenprefix");
  cfg.size = 64;
  cfg.connections = 2;
  cfg.depth = 4;
  cfg.warmupSeconds = 0.05;
  cfg.durationSeconds = 0.2;
  cfg.sliceSeconds = 0.01;
  return cfg;
}

TEST(Loadgen, ServersTakingTurnsEachGetTheirOwnRecord) {
  std::signal(SIGPIPE, SIG_IGN);
  auto a = startServer("epoll");
  auto b = startServer("poll");
  ASSERT_NE(a.port, 0);
  ASSERT_NE(b.port, 0);
  LoadConfig cfg = config();
  cfg.targets = {{a.port, a.child.pid()}, {b.port, b.child.pid()}};
  auto results = runLoad(cfg);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.errors, 0u);
    EXPECT_EQ(r.verifyFailures, 0u);
    EXPECT_GT(r.messages, 0u);
    // Each server was measured for its own slices: 20 turns of 10 ms, each plus its drain.
    EXPECT_GE(r.seconds, 0.2 - 1e-6);
    EXPECT_GT(r.serverCpuSeconds, 0.0);
    EXPECT_GT(r.serverVmHwmKb, 0);
    EXPECT_EQ(r.latency.count(), r.messages);
  }
  a.child.stop(Seconds(10));
  b.child.stop(Seconds(10));
}

TEST(Loadgen, ARefusedOrSilentServerFailsAloneAndByName) {
  std::signal(SIGPIPE, SIG_IGN);
  auto a = startServer("epoll");
  ASSERT_NE(a.port, 0);
  ReservedPort silent;
  ASSERT_TRUE(silent.listenSilently());
  ReservedPort refused;  // bound, never listening: connects are refused
  ASSERT_TRUE(refused.ok());
  LoadConfig cfg = config();
  cfg.drainTimeoutSeconds = 0.5;
  cfg.targets = {{refused.port(), 0}, {a.port, a.child.pid()}, {silent.port(), 0}};
  auto results = runLoad(cfg);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_NE(results[0].error.find("connect"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[0].messages, 0u);
  EXPECT_TRUE(results[1].error.empty()) << results[1].error;
  EXPECT_GT(results[1].messages, 0u);
  EXPECT_EQ(results[1].errors, 0u);
  EXPECT_NE(results[2].error.find("replies still missing"), std::string::npos) << results[2].error;
  EXPECT_EQ(results[2].messages, 0u);
  EXPECT_EQ(results[2].errors, 2u);  // both of its connections given up
  a.child.stop(Seconds(10));
}

// weft-loadgen against a server that flips one echoed byte in 10,000 (`weft serve --fault
// corrupt`): 64-byte messages, so about one reply in 156 is wrong. The record counts the
// mismatches, stderr names them, and the run exits 1.
TEST(Loadgen, ACorruptingServerIsReportedAndTheRunFails) {
  std::signal(SIGPIPE, SIG_IGN);
  Child server = spawn(
      {WEFT_EXE, "serve", "--reactor", "epoll", "--protocol", "lenprefix", "--fault", "corrupt"});
  auto line = server.readLine(Seconds(30));
  ASSERT_TRUE(line && line->rfind("listening on ", 0) == 0);
  std::string port = line->substr(line->rfind(':') + 1);
  testing::TempDir tmp;
  Child lg = spawn({WEFT_LOADGEN_EXE, "--port", port, "--protocol", "lenprefix", "--size", "64",
                    "--connections", "4", "--depth", "4", "--warmup", "0.02", "--duration", "0.2"},
                   {.stderrPath = tmp.path() + "/err"});
  std::string out = lg.readAll(Seconds(60));
  auto st = lg.wait(Seconds(10));
  ASSERT_TRUE(st);
  EXPECT_TRUE(exitedWith(*st, 1)) << describeStatus(*st);
  auto record = nlohmann::json::parse(out.substr(0, out.find('\n')));
  EXPECT_GT(record["verify_failures"].get<long>(), 0) << out;
  std::string err = testing::readFile(tmp.path() + "/err");
  EXPECT_NE(err.find("replies differed from what was sent"), std::string::npos) << err;
  server.stop(Seconds(10));
}

}  // namespace
}  // namespace weft::harness
