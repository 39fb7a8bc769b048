#include "tcp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace weft::test {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

TcpClient::TcpClient(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail("socket");
  auto sa = loopback(port);
  // Loopback connects complete (or are refused) at once, so a blocking connect is bounded.
  if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
    fail("connect to 127.0.0.1:" + std::to_string(port));
}

TcpClient::~TcpClient() {
  close();
}

void TcpClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void TcpClient::send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("send");
    data.remove_prefix(static_cast<size_t>(n));
  }
}

bool TcpClient::fill(int timeoutMs) {
  pollfd p{fd_, POLLIN, 0};
  int r;
  do r = poll(&p, 1, timeoutMs);
  while (r < 0 && errno == EINTR);
  if (r <= 0) return false;
  char buf[16384];
  ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  pending_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> TcpClient::readLine(Seconds timeout) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
  for (;;) {
    if (size_t end = pending_.find("\r\n"); end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 2);
      return line;
    }
    if (!fill(msLeft(deadline))) return std::nullopt;
  }
}

std::string TcpClient::read(size_t n, Seconds timeout) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
  while (pending_.size() < n && fill(msLeft(deadline))) {
  }
  std::string out = pending_.substr(0, n);
  pending_.erase(0, out.size());
  return out;
}

bool TcpClient::closedByPeer(Seconds timeout) {
  if (!pending_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  int r = poll(&p, 1, static_cast<int>(timeout.count() * 1000));
  if (r <= 0) return false;
  char c;
  ssize_t n = recv(fd_, &c, 1, 0);
  if (n > 0) pending_.push_back(c);
  return n <= 0;
}

std::string TcpClient::localAddress() const {
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
  char host[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(sa.sin_port));
}

RefusingPort::RefusingPort() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto sa = loopback(0);
  socklen_t len = sizeof sa;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) < 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) < 0)
    fail("bind a refusing port");
  port_ = ntohs(sa.sin_port);
}

RefusingPort::~RefusingPort() {
  if (fd_ >= 0) ::close(fd_);
}

uint16_t parseListeningLine(const std::optional<std::string>& line) {
  constexpr std::string_view kPrefix = "listening on ";
  if (!line || !line->starts_with(kPrefix))
    throw std::runtime_error("expected 'listening on HOST:PORT', got '" +
                             line.value_or("<nothing>") + "'");
  size_t colon = line->rfind(':');
  unsigned port = 0;
  auto [end, ec] = std::from_chars(line->data() + colon + 1, line->data() + line->size(), port);
  if (ec != std::errc() || end != line->data() + line->size() || port == 0 || port > 65535)
    throw std::runtime_error("no port in '" + *line + "'");
  return static_cast<uint16_t>(port);
}

}  // namespace weft::test
