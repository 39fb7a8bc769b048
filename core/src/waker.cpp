#include "weft/detail/waker.hpp"

#include <cstdint>

#include "socket_ops.hpp"
#include "weft/errors.hpp"

#ifndef _WIN32
#include <unistd.h>
#endif

namespace weft::detail {

Waker::Waker() {
  // eventfd on Linux, a self-pipe on other POSIX systems, a loopback socket pair on Windows
  // (Winsock's select watches sockets only).
  if (!sockets::openWakePair(readFd_, writeFd_))
    throw Error(reasonFromErrno(sockets::lastError(), "waker"));
}

Waker::~Waker() {
  if (writeFd_ != readFd_ && writeFd_ >= 0) sockets::closeSocket(writeFd_);
  if (readFd_ >= 0) sockets::closeSocket(readFd_);
}

void Waker::wake() const {
  // EAGAIN means the counter/pipe/socket buffer is already signalled: the loop wakes anyway.
#ifdef _WIN32
  char one = 1;
  sockets::send(writeFd_, &one, 1);
#else
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(writeFd_, &one, writeFd_ == readFd_ ? sizeof one : 1);
#endif
}

void Waker::drain() const {
  char buf[64];
#ifdef _WIN32
  while (sockets::receive(readFd_, buf, sizeof buf) > 0) {
  }
#else
  while (::read(readFd_, buf, sizeof buf) > 0) {
  }
#endif
}

}  // namespace weft::detail
