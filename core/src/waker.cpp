#include "weft/detail/waker.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "weft/errors.hpp"

#ifdef __linux__
#include <sys/eventfd.h>
#endif

namespace weft::detail {

Waker::Waker() {
#ifdef __linux__
  readFd_ = writeFd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (readFd_ < 0) throw Error(reasonFromErrno(errno, "eventfd"));
#else
  int fds[2];
  if (::pipe(fds) != 0) throw Error(reasonFromErrno(errno, "pipe"));
  for (int fd : fds) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  readFd_ = fds[0];
  writeFd_ = fds[1];
#endif
}

Waker::~Waker() {
  if (writeFd_ != readFd_ && writeFd_ >= 0) ::close(writeFd_);
  if (readFd_ >= 0) ::close(readFd_);
}

void Waker::wake() const {
  // EAGAIN means the counter/pipe is already signalled: the loop will wake anyway.
  uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(writeFd_, &one, writeFd_ == readFd_ ? sizeof one : 1);
}

void Waker::drain() const {
  char buf[64];
  while (::read(readFd_, buf, sizeof buf) > 0) {
  }
}

}  // namespace weft::detail
