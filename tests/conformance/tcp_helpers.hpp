// Small protocols, factories and raw-socket peers shared by the TCP conformance tests.
#pragma once

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "weft/protocol.hpp"
#include "weft/reactor.hpp"

namespace weft::test {

// Records everything that happens to one connection.
struct ConnectionLog {
  int made = 0;
  int lost = 0;
  int readLost = 0;
  int writeLost = 0;
  std::string received;
  std::vector<Reason> reasons;
};

// A protocol whose behaviour is a set of hooks; every event is also logged.
class ScriptedProtocol : public Protocol {
 public:
  explicit ScriptedProtocol(std::shared_ptr<ConnectionLog> log) : log_(std::move(log)) {}
  std::function<void(ScriptedProtocol&)> onMade;
  std::function<void(ScriptedProtocol&, std::string_view)> onData;
  std::function<void(ScriptedProtocol&)> onReadLost;
  std::function<void(ScriptedProtocol&, const Reason&)> onLost;
  bool halfClose = false;

  void connectionMade() override {
    ++log_->made;
    if (onMade) onMade(*this);
  }
  void dataReceived(std::string_view d) override {
    log_->received.append(d);
    if (onData) onData(*this, d);
  }
  void connectionLost(const Reason& r) override {
    ++log_->lost;
    log_->reasons.push_back(r);
    if (onLost) onLost(*this, r);
  }
  bool halfCloseable() const override { return halfClose; }
  void readConnectionLost() override {
    ++log_->readLost;
    if (onReadLost) onReadLost(*this);
  }
  void writeConnectionLost() override { ++log_->writeLost; }
  ConnectionLog& log() { return *log_; }

 private:
  std::shared_ptr<ConnectionLog> log_;
};

// Builds ScriptedProtocols through a callback and keeps every connection's log.
class ScriptedFactory : public ClientFactory {
 public:
  std::function<void(ScriptedProtocol&)> configure;
  bool refuse = false;
  std::vector<std::shared_ptr<ConnectionLog>> logs;
  std::vector<Reason> failures;
  std::vector<Reason> clientLost;
  int starts = 0, stops = 0;
  std::function<void(const Reason&)> onFailed;
  std::function<void(const Reason&)> onClientLost;

  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    if (refuse) return nullptr;
    logs.push_back(std::make_shared<ConnectionLog>());
    auto p = std::make_unique<ScriptedProtocol>(logs.back());
    if (configure) configure(*p);
    return p;
  }
  void startFactory() override { ++starts; }
  void stopFactory() override { ++stops; }
  void clientConnectionFailed(Connector&, const Reason& r) override {
    failures.push_back(r);
    if (onFailed) onFailed(r);
  }
  void clientConnectionLost(Connector&, const Reason& r) override {
    clientLost.push_back(r);
    if (onClientLost) onClientLost(r);
  }
  int totalLost() const {
    int n = 0;
    for (auto& l : logs) n += l->lost;
    return n;
  }
};

inline void echo(ScriptedProtocol& p) {
  p.onData = [](ScriptedProtocol& self, std::string_view d) { self.transport->write(d); };
}

// A deterministic byte pattern, so corruption or reordering is detected.
inline std::string pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

#ifdef _WIN32
inline SOCKET rawFd(int fd) {
  return static_cast<SOCKET>(static_cast<intptr_t>(fd));
}
#else
inline int rawFd(int fd) {
  return fd;
}
#endif

// Raw sockets, for peers that misbehave in ways a protocol cannot. Plain ints on every
// platform (a Winsock SOCKET fits, as in core); these wrap the calls whose spelling differs.
#ifdef _WIN32
using rlim_t = unsigned long;
inline int rawSocket(int family, bool nonBlocking = false) {
  SOCKET s = ::WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
  if (s != INVALID_SOCKET && nonBlocking) {
    u_long on = 1;
    ::ioctlsocket(s, FIONBIO, &on);
  }
  return static_cast<int>(static_cast<intptr_t>(s));
}
inline void rawClose(int fd) {
  ::closesocket(rawFd(fd));
}
inline void rawSetNonBlocking(int fd) {
  u_long on = 1;
  ::ioctlsocket(rawFd(fd), FIONBIO, &on);
}
inline long rawSend(int fd, const char* data, size_t len) {
  return ::send(rawFd(fd), data, static_cast<int>(len), 0);
}
inline long rawRecv(int fd, char* buf, size_t len) {
  return ::recv(rawFd(fd), buf, static_cast<int>(len), 0);
}
inline void rawSetIntOption(int fd, int level, int option, int value) {
  ::setsockopt(rawFd(fd), level, option, reinterpret_cast<const char*>(&value), sizeof value);
}
#else
inline int rawSocket(int family, bool nonBlocking = false) {
  return ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0), 0);
}
inline void rawClose(int fd) {
  ::close(fd);
}
inline void rawSetNonBlocking(int fd) {
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
}
inline long rawSend(int fd, const char* data, size_t len) {
  return ::send(fd, data, len, MSG_NOSIGNAL);
}
inline long rawRecv(int fd, char* buf, size_t len) {
  return ::recv(fd, buf, len, 0);
}
inline void rawSetIntOption(int fd, int level, int option, int value) {
  ::setsockopt(fd, level, option, &value, sizeof value);
}
#endif

// A blocking raw client socket.
inline int rawConnect(const Address& to) {
  int fd = rawSocket(to.family());
  if (fd >= 0 && ::connect(rawFd(fd), to.sockaddrPtr(), to.sockaddrLen()) != 0) {
    rawClose(fd);
    return -1;
  }
  return fd;
}

inline void rawReset(int fd) {
  linger lg{1, 0};
  ::setsockopt(rawFd(fd), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&lg), sizeof lg);
  rawClose(fd);
}

// Raise the soft fd limit (bounded by the hard one); returns the new soft limit. Windows has
// no descriptor limit of this kind.
inline rlim_t raiseFdLimit(rlim_t want) {
#ifdef _WIN32
  return want;
#else
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min(want, rl.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  ::getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur;
#endif
}

// For peer threads: wait until `cond` holds (polled each millisecond), at most `limit`.
// Returns whether it held: peers wait on events, not on time.
inline bool waitUntil(const std::function<bool()>& cond, Duration limit = Duration(10)) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(limit);
  while (!cond()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

inline Address loopback(uint16_t port) {
  return *Address::parse("127.0.0.1", port);
}

}  // namespace weft::test
