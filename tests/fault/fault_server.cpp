// The server side of the fault suite: an echo server on any reactor, instrumented so the test
// can check what it lost. Runs until SIGTERM, then prints one summary line:
//   summary built=N lost=N lost_twice=N fds_start=N fds_end=N asan=0/1
// Usage: weft_fault_server REACTOR PROTOCOL [--max-fds N] [--max-length N]
#include <dirent.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "weft/protocols/echo_servers.hpp"
#include "weft/registry.hpp"

namespace {

int countOpenFds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    --n;  // the DIR's own fd
  }
  return n;
}

struct Stats {
  long built = 0, lost = 0, lostTwice = 0;
};

// Wraps the real echo protocol to count connectionLost per connection.
class Counted : public weft::Protocol {
 public:
  Counted(std::unique_ptr<weft::Protocol> inner, Stats& stats)
      : inner_(std::move(inner)), stats_(stats) {}
  void makeConnection(weft::Transport& t) override {
    transport = &t;
    inner_->makeConnection(t);
  }
  void dataReceived(std::string_view d) override { inner_->dataReceived(d); }
  void connectionLost(const weft::Reason& r) override {
    if (lostOnce_) ++stats_.lostTwice;
    lostOnce_ = true;
    ++stats_.lost;
    inner_->connectionLost(r);
  }

 private:
  std::unique_ptr<weft::Protocol> inner_;
  Stats& stats_;
  bool lostOnce_ = false;
};

class CountingFactory : public weft::Factory {
 public:
  CountingFactory(weft::EchoServerOptions o, Stats& s) : options_(std::move(o)), stats_(s) {}
  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    ++stats_.built;
    return std::make_unique<Counted>(weft::makeEchoProtocol(options_), stats_);
  }

 private:
  weft::EchoServerOptions options_;
  Stats& stats_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s REACTOR PROTOCOL [--max-fds N] [--max-length N]\n", argv[0]);
    return 2;
  }
  weft::EchoServerOptions options;
  auto proto = weft::parseEchoProtocol(argv[2]);
  if (!proto) return 2;
  options.protocol = *proto;
  // Constructed, not assigned from a literal: GCC 12 -O2 misreports that assignment with
  // -Wrestrict (GCC bug 105651).
  options.delimiter = std::string(1, '\n');
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--max-fds")) {
      rlimit rl{};
      ::getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = std::strtoul(argv[i + 1], nullptr, 10);
      ::setrlimit(RLIMIT_NOFILE, &rl);
    } else if (!std::strcmp(argv[i], "--max-length")) {
      options.maxLength = std::strtoul(argv[i + 1], nullptr, 10);
    }
  }
  Stats stats;
  int fdsStart = 0, fdsEnd = 0;
  {
    auto reactor = weft::makeReactor(argv[1]);
    reactor->setShutdownTimeout(weft::Duration(10));
    CountingFactory factory(options, stats);
    auto port = reactor->listenTCP(0, factory, 4096, "127.0.0.1");
    std::printf("listening on %s\n", port->getHost().toString().c_str());
    std::fflush(stdout);
    // ChildServer::stop() sends SIGTERM again once the clients saw every close; it may land
    // after the reactor put back the disposition it found. Ignored then, instead of killing
    // the process before it prints its summary (the reactor's own handler still stops it).
    std::signal(SIGTERM, SIG_IGN);
    reactor->installSignalHandlers();
    // Counted with the loop running and again after run() returns, with the reactor alive
    // both times: its own fds (poller, waker, reserve fd, a toolkit's dispatcher, created
    // lazily by some backends) are not connections. The listening socket is closed at
    // shutdown, so it is left out of the first count.
    reactor->callWhenRunning([&] { fdsStart = countOpenFds() - 1; });
    reactor->run();
    port.reset();
    fdsEnd = countOpenFds();
  }
#if defined(__SANITIZE_ADDRESS__)
  const int asan = 1;  // RSS includes ASan's quarantine of freed memory
#else
  const int asan = 0;
#endif
  std::printf("summary built=%ld lost=%ld lost_twice=%ld fds_start=%d fds_end=%d asan=%d\n",
              stats.built, stats.lost, stats.lostTwice, fdsStart, fdsEnd, asan);
  std::fflush(stdout);
  return 0;
}
