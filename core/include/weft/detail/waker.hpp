// Wakes a blocked poller from any thread (and from a signal handler): eventfd on Linux,
// a non-blocking self-pipe on other POSIX systems, a loopback socket pair on Windows.
#pragma once

namespace weft::detail {

class Waker {
 public:
  Waker();
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker();

  int readFd() const { return readFd_; }
  // Where a signal handler writes to wake the loop (the same fd as readFd() for eventfd; the
  // pipe's write end on other POSIX systems).
  int writeFd() const { return writeFd_; }
  // Async-signal-safe and thread-safe. A full pipe/counter already means "wake".
  void wake() const;
  // Consume pending wake-ups (loop thread).
  void drain() const;

 private:
  int readFd_ = -1;
  int writeFd_ = -1;
};

}  // namespace weft::detail
