// Open-loop load (weft-loadgen --rate, wrk2's method) against a server that stalls for 100 ms
// once a second: the stall must show in the open loop's tail and hide in the closed loop's, or
// the open loop is not measuring from the intended send time (coordinated omission).
//
// Why p99.9 >= 90 ms and not >= 100 ms: a 100 ms stall per second makes 10% of an open loop's
// messages wait, their latencies spread evenly over 0-100 ms (the one due at the stall's start
// waits it all, the one due at its end hardly at all). The slowest 0.1% of all messages are the
// slowest 1% of those: 99-100 ms. The closed loop, one message in flight, sends nothing while
// the server sleeps, so only one message per stall waits: 2 of ~20,000+, far below 0.1%.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "load_client.hpp"

namespace weft::harness {
namespace {

using Clock = std::chrono::steady_clock;

// A byte echo server on 127.0.0.1 that sleeps 100 ms once a second of each connection's life.
// One connection at a time, on its own thread; every loop bounded by `stop_` or the peer's EOF.
class StallingEchoServer {
 public:
  StallingEchoServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) == 0 && listen(fd_, 4) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0) {
      port_ = ntohs(sa.sin_port);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~StallingEchoServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  int stalls() const { return stalls_; }

 private:
  // Returns when told to stop (checked every 50 ms while no client is connected).
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) != 1) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) echoUntilEof(c);
    }
  }
  void echoUntilEof(int c) {
    char buf[65536];
    auto lastStall = Clock::now();
    for (;;) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = send(c, buf + off, size_t(n - off), MSG_NOSIGNAL);
        if (w <= 0) break;
        off += w;
      }
      if (Clock::now() - lastStall >= std::chrono::seconds(1)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        lastStall = Clock::now();
        ++stalls_;
      }
    }
    close(c);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> stalls_{0};
  std::thread thread_;
};

LoadResult runAgainstStalls(double rate) {
  StallingEchoServer server;
  EXPECT_NE(server.port(), 0);
  LoadConfig cfg;
  cfg.wire.wire = *parseWire("echo");
  cfg.size = 64;
  cfg.connections = 1;
  cfg.depth = 1;
  cfg.warmupSeconds = 0;
  cfg.durationSeconds = 2.3;  // two stalls, at about 1 s and 2.1 s
  cfg.targets = {{server.port(), 0, rate}};
  auto results = runLoad(cfg);
  EXPECT_GE(server.stalls(), 2);
  return results.at(0);
}

double ms(uint64_t ns) {
  return double(ns) / 1e6;
}

TEST(OpenLoop, AStallShowsInTheOpenLoopsTailAndHidesInTheClosedLoops) {
  std::signal(SIGPIPE, SIG_IGN);
  LoadResult closed = runAgainstStalls(0);
  LoadResult open = runAgainstStalls(2000);
  for (const LoadResult* r : {&closed, &open}) {
    EXPECT_TRUE(r->error.empty()) << r->error;
    EXPECT_EQ(r->verifyFailures, 0u);
    EXPECT_EQ(r->latency.count(), r->messages);
  }
  std::printf("closed loop: %lu msgs, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.1f ms\n",
              static_cast<unsigned long>(closed.messages), ms(closed.latency.percentile(0.5)),
              ms(closed.latency.percentile(0.99)), ms(closed.latency.percentile(0.999)),
              ms(closed.latency.max()));
  std::printf("open loop 2000/s: %lu msgs, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.1f ms\n",
              static_cast<unsigned long>(open.messages), ms(open.latency.percentile(0.5)),
              ms(open.latency.percentile(0.99)), ms(open.latency.percentile(0.999)),
              ms(open.latency.max()));
  // Both loops met the stalls: their slowest message waited one out.
  EXPECT_GE(ms(closed.latency.max()), 95.0);
  EXPECT_GE(ms(open.latency.max()), 95.0);
  // The open loop kept its schedule: ~2000/s for 2.3 s, stalls included.
  EXPECT_GE(open.messages, 4000u);
  // Only the open loop's tail shows them (see the comment at the top for the 90 ms).
  EXPECT_GE(ms(open.latency.percentile(0.999)), 90.0);
  EXPECT_GE(ms(open.latency.percentile(0.99)), 50.0);
  EXPECT_LT(ms(closed.latency.percentile(0.999)), 50.0);
}

}  // namespace
}  // namespace weft::harness
