// Userspace memory per idle TCP connection on a reactor: a child process opens N plain
// sockets to the reactor's listening port and holds them; the parent's RSS is read before
// and after all N are accepted. Kernel socket buffers are not in RSS, so this is weft's own
// cost per connection (transport + protocol + fd table + bookkeeping).
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "weft/registry.hpp"

namespace {

long rssKiB() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

void raiseFdLimit(rlim_t want) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = std::min(rl.rlim_max, want);
  setrlimit(RLIMIT_NOFILE, &rl);
}

// Child: open n connections, report, then hold them until the parent closes the pipe.
[[noreturn]] void holdConnections(const weft::Address& to, int n, int readyFd, int holdFd) {
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, to.sockaddrPtr(), to.sockaddrLen()) != 0) break;
    fds.push_back(fd);
  }
  int count = static_cast<int>(fds.size());
  [[maybe_unused]] auto w = ::write(readyFd, &count, sizeof count);
  char c;
  [[maybe_unused]] auto r = ::read(holdFd, &c, 1);  // EOF when the parent is done
  _exit(0);
}

struct Idle : weft::Protocol {};

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::string name = argc > 2 ? argv[2] : "epoll";
  raiseFdLimit(n + 200);
  auto reactor = weft::makeReactor(name);
  weft::ProtocolFactory<Idle> server;
  auto port = reactor->listenTCP(0, server, 4096);

  int ready[2], hold[2];
  if (::pipe(ready) != 0 || ::pipe(hold) != 0) return 2;
  long before = rssKiB();
  pid_t child = ::fork();
  if (child == 0) {
    ::close(ready[0]);
    ::close(hold[1]);
    holdConnections(port->getHost(), n, ready[1], hold[0]);
  }
  ::close(ready[1]);
  ::close(hold[0]);
  int opened = 0;
  reactor->callInThread(
      [&] { [[maybe_unused]] auto r = ::read(ready[0], &opened, sizeof opened); });
  std::function<void()> check = [&] {
    if (opened > 0 && reactor->connectionCount() >= static_cast<size_t>(opened)) {
      reactor->stop();
      return;
    }
    reactor->callLater(weft::Duration(0.02), check);
  };
  reactor->callLater(weft::Duration(0.02), check);
  reactor->callLater(weft::Duration(120), [&] { reactor->stop(); });
  long after = 0;
  reactor->addSystemEventTrigger(weft::Phase::Before, weft::SystemEvent::Shutdown,
                                 [&] { after = rssKiB(); });
  reactor->run();
  size_t held = static_cast<size_t>(opened);
  ::close(hold[1]);
  ::waitpid(child, nullptr, 0);
  std::printf(
      "reactor=%s connections=%zu rss_before_kib=%ld rss_after_kib=%ld "
      "bytes_per_connection=%.0f\n",
      name.c_str(), held, before, after,
      held ? (after - before) * 1024.0 / static_cast<double>(held) : 0.0);
  return held == static_cast<size_t>(n) ? 0 : 1;
}
