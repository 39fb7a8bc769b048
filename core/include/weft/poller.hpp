// The poller contract: all a readiness backend (select, poll, epoll, kqueue, libevent, Qt)
// implements. Core tells it only *changes* of interest per fd and it reports readiness back
// through one call, ReadySink::ready(). Everything above — TCP transport, accept, connect,
// buffering, backpressure, shutdown — lives once in core (PollerReactor).
#pragma once

#include <climits>
#include <optional>
#include <string_view>

#include "weft/time.hpp"

namespace weft {

// Interest and readiness bits.
enum : unsigned {
  kNone = 0,
  kReadable = 1,
  kWritable = 2,
  kHangup = 4,  // peer closed both directions (POLLHUP / EPOLLHUP / EV_EOF)
  kError = 8,   // POLLERR / EPOLLERR: core reads SO_ERROR
};

// A backend whose native API has already consumed SO_ERROR (libkqueue reads it to fill
// EV_EOF's fflags, and reading clears it) passes the errno along in the upper bits of the
// readiness mask, so core still learns "connection refused" or "reset" instead of a clean EOF.
inline constexpr unsigned kErrnoShift = 16;
constexpr unsigned withErrno(int err) {
  return err > 0 ? kError | (static_cast<unsigned>(err) << kErrnoShift) : kNone;
}
constexpr int errnoOf(unsigned events) {
  return static_cast<int>(events >> kErrnoShift);
}

class ReadySink {
 public:
  virtual ~ReadySink() = default;
  // `events` is a mask of kReadable | kWritable | kHangup | kError for a watched fd.
  virtual void ready(int fd, unsigned events) = 0;
  // Foreign-loop backends call this after every native callback (fd, timer or wake-up):
  // core runs thread calls and due timers, then either re-arms the backend's timer
  // (armTimer) or asks it to leave its loop (quitForeignLoop).
  virtual void afterNativeCallback() = 0;
};

class Poller {
 public:
  virtual ~Poller() = default;

  // Interest in `fd` changed from `was` to `now` (kReadable | kWritable). `was == kNone`
  // means a new fd; `now == kNone` means forget it (the fd may be closed right after).
  // Throws Error on failure.
  virtual void update(int fd, unsigned was, unsigned now) = 0;
  // fds at or above this value cannot be watched (select: FD_SETSIZE). Core refuses them
  // with ErrorKind::FdTooLarge for that connection only.
  virtual int fdLimit() const { return INT_MAX; }

  // Own-loop backends: block once for at most `timeout` (nullopt = no limit) and report.
  virtual void wait(std::optional<Duration> timeout, ReadySink& sink) = 0;

  // Foreign-loop backends (the native loop drives; core is called back).
  virtual bool foreignLoop() const { return false; }
  // Run the native loop until quitForeignLoop(); report through `sink`.
  virtual void runForeignLoop(ReadySink& sink) { (void)sink; }
  virtual void quitForeignLoop() {}
  // Arm the single native timer: call sink.afterNativeCallback() once `timeout` has passed
  // (nullopt = disarm). Core re-checks the clock, so an early native timer is harmless.
  virtual void armTimer(std::optional<Duration> timeout) { (void)timeout; }
};

}  // namespace weft
