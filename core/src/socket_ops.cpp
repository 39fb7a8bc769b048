#include "socket_ops.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace weft::sockets {

int openTcpSocket(int family) {
  return ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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

int openReserveFd() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

void closeReserveFd(int fd) { ::close(fd); }

void closeWithReset(int fd) {
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);
}

}  // namespace weft::sockets
