// POSIX implementation of the socket layer (Windows: socket_ops_win.cpp).
#include "socket_ops.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#ifdef __linux__
#include <sys/eventfd.h>
#endif

namespace weft::sockets {

int lastError() {
  return errno;
}

bool wouldBlock(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

std::string errorString(int err) {
  return std::strerror(err);
}

int openTcpSocket(int family) {
  return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

void closeSocket(int fd) {
  ::close(fd);
}

void setBoolOption(int fd, int level, int option, bool on) {
  int v = on ? 1 : 0;
  ::setsockopt(fd, level, option, &v, sizeof v);
}

bool getBoolOption(int fd, int level, int option) {
  int v = 0;
  socklen_t len = sizeof v;
  ::getsockopt(fd, level, option, &v, &len);
  return v != 0;
}

Address localAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

Address peerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

int pendingError(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

int listenOn(int fd, const Address& addr, int backlog) {
  setBoolOption(fd, SOL_SOCKET, SO_REUSEADDR, true);
  if (addr.isV6()) setBoolOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, true);
  if (::bind(fd, addr.sockaddrPtr(), addr.sockaddrLen()) != 0) return -1;
  return ::listen(fd, backlog);
}

int bindTo(int fd, const Address& addr) {
  return ::bind(fd, addr.sockaddrPtr(), addr.sockaddrLen());
}

int startConnect(int fd, const Address& to) {
  if (::connect(fd, to.sockaddrPtr(), to.sockaddrLen()) == 0 || errno == EINPROGRESS) return 0;
  return errno;
}

int acceptNonBlocking(int listenFd, Address* peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int fd =
      ::accept4(listenFd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0 && peer) *peer = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  return fd;
}

std::optional<Address> resolve(const std::string& host, uint16_t port, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  std::optional<Address> addr;
  if (rc == 0 && res) {
    Address a = Address::fromSockaddr(res->ai_addr, res->ai_addrlen);
    addr = Address::parse(a.host(), port);
  } else {
    error = ::gai_strerror(rc);
  }
  if (res) ::freeaddrinfo(res);
  return addr;
}

std::ptrdiff_t send(int fd, const char* data, size_t len) {
  return ::send(fd, data, len, MSG_NOSIGNAL);
}

std::ptrdiff_t sendGather(int fd, const std::string_view* parts, size_t count) {
  // The usual case (small replies coalesce into one queued chunk): send() skips sendmsg's
  // msghdr and iovec import, measurable at one message per syscall.
  if (count == 1) return send(fd, parts[0].data(), parts[0].size());
  std::array<iovec, 64> iov;
  count = std::min(count, iov.size());
  for (size_t i = 0; i < count; ++i) iov[i] = {const_cast<char*>(parts[i].data()), parts[i].size()};
  msghdr msg{};
  msg.msg_iov = iov.data();
  msg.msg_iovlen = count;
  return ::sendmsg(fd, &msg, MSG_NOSIGNAL);
}

std::ptrdiff_t receive(int fd, char* buf, size_t len) {
  return ::recv(fd, buf, len, 0);
}

size_t unreadBytes(int fd) {
  int n = 0;
  return ::ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? static_cast<size_t>(n) : 0;
}

void shutdownWrite(int fd) {
  ::shutdown(fd, SHUT_WR);
}

bool openWakePair(int& readFd, int& writeFd) {
#ifdef __linux__
  // eventfd: one descriptor, the read end is the write end.
  readFd = writeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  return readFd >= 0;
#else
  int fds[2];
  if (::pipe(fds) != 0) return false;
  for (int fd : fds) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  readFd = fds[0];
  writeFd = fds[1];
  return true;
#endif
}

int openReserveFd() {
  return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void closeReserveFd(int fd) {
  ::close(fd);
}

void closeWithReset(int fd) {
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
}

}  // namespace weft::sockets
