// The fault and load suite, once per reactor: EMFILE, 10,000 connections, slowloris and
// non-reading peers, hostile frames, resets at every stage, shutdown under load, soak.
// Each test runs the server (weft_fault_server) in its own process and judges it from
// outside: what clients received, and the server's own summary (every connection lost
// exactly once, no fd leaked).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <thread>

#include "child_server.hpp"
#include "client_pool.hpp"
#include "weft/protocols/framing.hpp"
#include "weft/registry.hpp"

namespace weft::fault {
namespace {

using namespace std::chrono_literals;
using Summary = std::map<std::string, long>;

class FaultTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<ChildServer> serve(const std::string& protocol,
                                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args{GetParam(), protocol};
    args.insert(args.end(), extra.begin(), extra.end());
    auto s = std::make_unique<ChildServer>(WEFT_FAULT_SERVER, args);
    EXPECT_TRUE(s->started()) << "server did not start";
    return s;
  }

  // A fresh client gets its echo: the server still serves well-behaved peers.
  static void expectServes(ChildServer& s, const std::string& frame) {
    ClientPool good;
    ASSERT_EQ(good.open(1, s.address()), 1u);
    good.send(0, frame);
    EXPECT_TRUE(
        good.pump([&] { return good[0].in.size() >= frame.size() || good[0].closed; }, 20s));
    EXPECT_EQ(good[0].in, frame);
  }

  // Waits (bounded) until the server's open fds satisfy `ok`; returns the last count. The
  // server closes a socket some time after its peer did: wait on that, not on a pause.
  static int waitForFds(ChildServer& s, const std::function<bool(int)>& ok,
                        std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    int n = s.openFds();
    while (!ok(n) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(2ms);
      n = s.openFds();
    }
    return n;
  }

  static void expectCleanSummary(const Summary& sum, bool fdsMustMatch = true) {
    EXPECT_EQ(sum.at("exit"), 0) << "server did not exit cleanly on SIGTERM";
    if (sum.at("exit") != 0) return;
    EXPECT_EQ(sum.at("built"), sum.at("lost")) << "a connection never got connectionLost";
    EXPECT_EQ(sum.at("lost_twice"), 0) << "a connection got connectionLost twice";
    if (fdsMustMatch) {
      EXPECT_EQ(sum.at("fds_end"), sum.at("fds_start")) << "fd leak";
    }
  }
};

TEST_P(FaultTest, EmfileNeitherCrashesNorSpinsAndRecovers) {
  auto server = serve("echo", {"--max-fds", "64"});
  ClientPool pool;
  ASSERT_EQ(pool.open(100, server->address()), 100u);
  for (size_t i = 0; i < pool.size(); ++i) pool.send(i, "ping" + std::to_string(i));
  auto settled = [&] {
    for (auto& c : pool.conns())
      if (!c.closed && c.in.empty()) return false;
    return true;
  };
  pool.pump(settled, 20s);
  size_t served = 0, refused = 0;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i].in == "ping" + std::to_string(i)) {
      ++served;
    } else if (pool[i].closed) {
      ++refused;
    }
  }
  EXPECT_GE(served, 30u);
  EXPECT_LT(served, 100u) << "the fd limit was not reached; the test proves nothing";
  EXPECT_EQ(served + refused, 100u);

  // Saturated: more connection attempts arrive; the server must not spin.
  const double cpu0 = server->cpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  ClientPool extra;
  extra.open(20, server->address());
  extra.pump([] { return false; }, 1000ms);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpuShare = (server->cpuSeconds() - cpu0) / wall;
  EXPECT_LT(cpuShare, 0.10) << "server burns CPU while out of fds (busy loop?)";
  extra.closeAll();

  // Connected clients keep being served.
  size_t stillServed = 0;
  std::vector<size_t> live;
  for (size_t i = 0; i < pool.size(); ++i)
    if (!pool[i].closed) live.push_back(i);
  for (size_t i : live) {
    pool[i].in.clear();
    pool.send(i, "again");
  }
  pool.pump(
      [&] {
        for (size_t i : live)
          if (pool[i].in.size() < 5 && !pool[i].closed) return false;
        return true;
      },
      20s);
  for (size_t i : live) stillServed += pool[i].in == "again";
  EXPECT_EQ(stillServed, live.size());

  // Free some descriptors: once the server has closed its ends, new connections are accepted
  // again.
  const int fdsSaturated = server->openFds();
  size_t freed = 0;
  for (size_t k = 0; k < 10 && k < live.size(); ++k, ++freed) pool.close(live[k]);
  const int fdsFreed = waitForFds(*server, [&](int n) { return n <= fdsSaturated - int(freed); });
  EXPECT_LE(fdsFreed, fdsSaturated - int(freed)) << "the server did not close the freed sockets";
  expectServes(*server, "after-emfile");
  pool.closeAll();
  expectCleanSummary(server->stop());
}

TEST_P(FaultTest, TenThousandConcurrentConnectionsEcho) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_max < 10100) GTEST_SKIP() << "hard RLIMIT_NOFILE " << rl.rlim_max << " < 10100";
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
  auto server = serve("echo", {"--max-fds", std::to_string(rl.rlim_max)});
  constexpr size_t kConns = 10000;
  ClientPool pool;
  // Connect in waves so the accept queue never overflows (overflow costs 1 s SYN retries).
  for (size_t wave = 0; wave < kConns / 500; ++wave) {
    size_t from = pool.size();
    ASSERT_EQ(pool.open(500, server->address()), 500u);
    for (size_t i = from; i < pool.size(); ++i) pool.send(i, "m" + std::to_string(i) + ";");
    pool.pump(
        [&] {
          for (size_t i = from; i < pool.size(); ++i)
            if (pool[i].in.empty() && !pool[i].closed) return false;
          return true;
        },
        30s);
  }
  size_t echoed = 0, closed = 0;
  for (size_t i = 0; i < pool.size(); ++i) {
    if (pool[i].in == "m" + std::to_string(i) + ";") {
      ++echoed;
    } else if (pool[i].closed) {
      ++closed;
    }
  }
  if (GetParam() == "select") {
    // fds past FD_SETSIZE are refused one by one with the named error; the rest are served.
    EXPECT_GT(echoed, 900u);
    EXPECT_EQ(echoed + closed, kConns);
  } else {
    EXPECT_EQ(echoed, kConns);
  }
  pool.closeAll();
  expectCleanSummary(server->stop(60s));
}

TEST_P(FaultTest, SlowlorisAndNonReadersCannotStarveOthersOrGrowMemory) {
  auto server = serve("lenprefix");
  std::this_thread::sleep_for(50ms);
  const long rss0 = server->rssKiB();
  ClientPool bad;
  ASSERT_EQ(bad.open(200, server->address()), 200u);
  std::string partial =
      frameLengthPrefixed(PrefixFormat::U32LE, std::string(1000, 's')).substr(0, 14);
  std::string flood;
  for (int i = 0; i < 1024; ++i)
    appendLengthPrefixed(flood, PrefixFormat::U32LE, std::string(1020, 'f'));
  for (size_t i = 0; i < 200; ++i) {
    if (i % 2 == 0) {
      bad.send(i, partial);  // a frame that never completes
    } else {
      bad.stopReading(i);
      bad.send(i, flood);  // 1 MiB of requests, replies never read
    }
  }
  bad.pump([] { return false; }, 2000ms);
  expectServes(*server, frameLengthPrefixed(PrefixFormat::U32LE, "still here"));
  const long growthMiB = (server->rssKiB() - rss0) / 1024;
  EXPECT_LT(growthMiB, 64) << "server memory grew by " << growthMiB << " MiB";
  bad.closeAll();
  expectCleanSummary(server->stop());
}

struct Hostile {
  std::string protocol;
  std::string bytes;
  bool mustClose;
  std::string goodFrame;
};

TEST_P(FaultTest, HostileFramesCloseOnlyTheirOwnConnection) {
  std::mt19937 rng(42);
  std::string noise(64 * 1024, '\0');
  for (auto& c : noise) c = static_cast<char>(rng());
  const std::string goodLen = frameLengthPrefixed(PrefixFormat::U32LE, "ok");
  const std::vector<Hostile> cases = {
      {"lenprefix", std::string("\xff\xff\xff\xff", 4) + "0123456789", true, goodLen},
      {"lenprefix", std::string("\x00\x00\x00\x80", 4), true, goodLen},  // 2 GiB
      {"lenprefix", noise, false, goodLen},
      {"line", std::string(1 << 20, 'x'), true, "ok\n"},
      {"line", noise, false, "ok\n"},
      {"netstring", "99999999999999999999999999:", true, "2:ok,"},
      {"netstring", "007:abc,", true, "2:ok,"},
      {"netstring", "3:abcd,", true, "2:ok,"},
      {"netstring", noise, false, "2:ok,"},
      {"echo", noise, false, "ok"},
  };
  for (const auto& h : cases) {
    SCOPED_TRACE(h.protocol + " with " + std::to_string(h.bytes.size()) + " hostile bytes");
    auto server = serve(h.protocol);
    const long rss0 = server->rssKiB();
    ClientPool pool;
    ASSERT_EQ(pool.open(1, server->address()), 1u);
    pool.send(0, h.bytes);
    bool closed = pool.pump([&] { return pool[0].closed; }, h.mustClose ? 20000ms : 500ms);
    if (h.mustClose) {
      EXPECT_TRUE(closed) << "hostile input did not close the connection";
    }
    EXPECT_LT((server->rssKiB() - rss0) / 1024, 16) << "hostile frame made the server allocate";
    expectServes(*server, h.goodFrame);
    pool.closeAll();
    expectCleanSummary(server->stop());
  }
}

TEST_P(FaultTest, PeerResetsAtEveryStageLoseNothingElse) {
  auto server = serve("lenprefix");
  ClientPool pool;
  ASSERT_EQ(pool.open(3, server->address()), 3u);
  pool.pump([&] { return pool[0].connected && pool[1].connected && pool[2].connected; }, 10s);
  pool.close(0, true);  // right after connecting
  pool.send(1, frameLengthPrefixed(PrefixFormat::U32LE, std::string(500, 'h')).substr(0, 100));
  std::string lots;
  for (int i = 0; i < 4096; ++i)
    appendLengthPrefixed(lots, PrefixFormat::U32LE, std::string(1020, 'w'));
  pool.stopReading(2);
  pool.send(2, lots);
  pool.pump([] { return false; }, 500ms);
  pool.close(1, true);  // mid-frame
  pool.close(2, true);  // with the server's writes pending
  std::this_thread::sleep_for(100ms);
  expectServes(*server, frameLengthPrefixed(PrefixFormat::U32LE, "survived"));
  expectCleanSummary(server->stop());
}

TEST_P(FaultTest, ShutdownUnderLoadDeliversQueuedRepliesAndLeaksNothing) {
  auto server = serve("lenprefix");
  constexpr size_t kConns = 100, kFrames = 50;
  ClientPool pool;
  ASSERT_EQ(pool.open(kConns, server->address()), kConns);
  std::string requests;
  for (size_t f = 0; f < kFrames; ++f)
    appendLengthPrefixed(requests, PrefixFormat::U32LE, std::string(1000, 'r'));
  for (size_t i = 0; i < kConns; ++i) {
    pool.stopReading(i);  // replies pile up in the server and in socket buffers
    pool.send(i, requests);
  }
  pool.pump([] { return false; }, 1500ms);
  server->terminate();  // stop while every connection has replies queued
  for (size_t i = 0; i < kConns; ++i) {
    pool[i].reading = true;
    pool.send(i, "");
  }
  pool.pump(
      [&] {
        for (auto& c : pool.conns())
          if (!c.closed) return false;
        return true;
      },
      60s);
  size_t complete = 0;
  for (auto& c : pool.conns()) complete += c.in == requests && c.closed;
  EXPECT_EQ(complete, kConns) << "replies queued before stop() were lost";
  auto sum = server->stop(60s);
  expectCleanSummary(sum);
  EXPECT_EQ(sum.at("built"), static_cast<long>(kConns));
}

TEST_P(FaultTest, SoakConnectionChurnLeaksNothing) {
  const char* env = std::getenv("WEFT_SOAK_SECONDS");
  const double seconds = env ? std::atof(env) : 5.0;
  auto server = serve("echo");
  auto cycle = [&](size_t n) {
    ClientPool pool;
    pool.open(n, server->address());
    for (size_t i = 0; i < pool.size(); ++i) pool.send(i, "churn");
    pool.pump(
        [&] {
          for (auto& c : pool.conns())
            if (c.in.size() < 5 && !c.closed) return false;
          return true;
        },
        20s);
    size_t ok = 0;
    for (auto& c : pool.conns()) ok += c.in == "churn";
    return ok;
  };
  const int fdsIdle = server->openFds();
  cycle(50);  // warm-up: first-use allocations
  // The baseline is taken once the warm-up's sockets are closed (bounded: a backend may keep a
  // descriptor it opened on first use, then the count settles above the idle one).
  waitForFds(
      *server, [&](int n) { return n <= fdsIdle; }, 5s);
  const int fds0 = server->openFds();
  const long rss0 = server->rssKiB();
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  size_t total = 0, ok = 0;
  while (std::chrono::steady_clock::now() < end && total < 2'000'000) {
    ok += cycle(50);
    total += 50;
  }
  EXPECT_EQ(ok, total);
  // The server sees the last closes a moment after the clients make them.
  const int fdsEnd = waitForFds(*server, [&](int n) { return n == fds0; });
  EXPECT_EQ(fdsEnd, fds0) << "fd count drifted over " << total << " connections";
  const long rssGrowth = server->rssKiB() - rss0;
  RecordProperty("connections", static_cast<int>(total));
  RecordProperty("rss_growth_kib", static_cast<int>(rssGrowth));
  auto sum = server->stop();
  expectCleanSummary(sum);
  if (sum.count("asan") && sum.at("asan") == 1) {
    // ASan's quarantine and allocator caches grow RSS with churn; the bound is asserted in the
    // uninstrumented build. Said out loud rather than passed silently.
    std::printf("[   NOTE   ] RSS drift (%ld KiB) not asserted under AddressSanitizer\n",
                rssGrowth);
  } else {
    EXPECT_LT(rssGrowth, 4096) << "RSS grew over " << total << " connections";
  }
}

INSTANTIATE_TEST_SUITE_P(Reactors, FaultTest, ::testing::ValuesIn(availableReactors()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace weft::fault
