// select(2) backend. select can only watch fds below FD_SETSIZE (a *value* limit on POSIX):
// fdLimit() tells core, which refuses such connections one by one with FdTooLarge instead of
// letting select() fail for everyone (Twisted #11553).
//
// Winsock's select is the same call with another limit: an fd_set is an array of at most
// FD_SETSIZE sockets (a *count*; CMake raises it from 64), socket values are arbitrary, and
// FD_SET silently drops a socket once the array is full. So on Windows the poller keeps its
// own table, refuses the socket beyond the count in update() (core turns that into
// FdTooLarge for that connection only), and builds the sets for each wait. A failed
// non-blocking connect is reported only in the *except* set there, so write interest also
// watches it.
#include "select/select_poller.hpp"

#ifdef _WIN32
#include <winsock2.h>

#include <unordered_map>
#else
#include <poll.h>
#include <sys/select.h>
#endif

#include <algorithm>
#include <cerrno>
#include <climits>
#include <vector>

#include "weft/errors.hpp"

namespace weft {
namespace {

#ifndef _WIN32
#if defined(__SANITIZE_THREAD__)  // GCC
#define WEFT_SELECT_UNDER_TSAN 1
#elif defined(__has_feature)  // clang
#if __has_feature(thread_sanitizer)
#define WEFT_SELECT_UNDER_TSAN 1
#endif
#endif
#ifdef WEFT_SELECT_UNDER_TSAN
// ThreadSanitizer runs a signal handler at its next interceptor, not when the signal lands,
// and GCC 12's runtime does not intercept select (google/sanitizers #838, #1813). A SIGTERM
// that lands just before select would wait there until some fd turns ready. So under TSan
// only, each wait first enters an intercepted poll() with no fds, which delivers deferred
// signals (their handler writes the waker, so select returns at once), and a select is cut
// at 50 ms so a signal landing after that poll() is seen on the next round.
constexpr bool kDeferredSignals = true;
#else
constexpr bool kDeferredSignals = false;
#endif
class SelectPoller final : public Poller {
 public:
  SelectPoller() {
    FD_ZERO(&readSet_);
    FD_ZERO(&writeSet_);
  }

  int fdLimit() const override { return FD_SETSIZE; }

  void update(int fd, unsigned, unsigned now) override {
    if (fd < 0 || fd >= FD_SETSIZE)
      throw Error(ErrorKind::FdTooLarge, "fd " + std::to_string(fd) + " >= FD_SETSIZE");
    (now & kReadable) ? FD_SET(fd, &readSet_) : FD_CLR(fd, &readSet_);
    (now & kWritable) ? FD_SET(fd, &writeSet_) : FD_CLR(fd, &writeSet_);
    if (now != kNone) {
      maxFd_ = std::max(maxFd_, fd);
    } else if (fd == maxFd_) {
      while (maxFd_ >= 0 && !FD_ISSET(maxFd_, &readSet_) && !FD_ISSET(maxFd_, &writeSet_)) --maxFd_;
    }
  }

  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    fd_set r = readSet_, w = writeSet_;
    timeval tv{};
    timeval* tvp = nullptr;
    if constexpr (kDeferredSignals) {
      ::poll(nullptr, 0, 0);
      if (!timeout || *timeout > Duration(0.05)) timeout = Duration(0.05);
    }
    if (timeout) {
      auto us = roundUpTimeout<std::chrono::microseconds>(*timeout).count();
      tv.tv_sec = static_cast<time_t>(us / 1000000);
      tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
      tvp = &tv;
    }
    int n = ::select(maxFd_ + 1, &r, &w, nullptr, tvp);
    if (n <= 0) return;
    ready_.clear();
    for (int fd = 0; fd <= maxFd_ && static_cast<int>(ready_.size()) < n; ++fd) {
      unsigned ev = (FD_ISSET(fd, &r) ? kReadable : 0u) | (FD_ISSET(fd, &w) ? kWritable : 0u);
      if (ev) ready_.push_back({fd, ev});
    }
    for (auto [fd, ev] : ready_) sink.ready(fd, ev);
  }

 private:
  fd_set readSet_, writeSet_;
  int maxFd_ = -1;
  std::vector<std::pair<int, unsigned>> ready_;
};

#else
class SelectPoller final : public Poller {
 public:
  // A count, not a value: core's per-fd value check does not apply.
  int fdLimit() const override { return INT_MAX; }

  // A socket that loses all interest keeps its slot (kNone): interest comes back on resume
  // through setInterest(), where a refusal could not be handled, so only a socket new to the
  // table can be refused, and only when slots of closed sockets cannot be reclaimed.
  void update(int fd, unsigned, unsigned now) override {
    if (auto it = watched_.find(fd); it != watched_.end()) {
      it->second = now;
      return;
    }
    if (now == kNone) return;
    if (watched_.size() >= FD_SETSIZE) reclaimClosed();
    if (watched_.size() >= FD_SETSIZE)
      throw Error(ErrorKind::FdTooLarge,
                  "select already watches FD_SETSIZE (" + std::to_string(FD_SETSIZE) + ") sockets");
    watched_.emplace(fd, now);
  }

  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    r_.fd_count = w_.fd_count = e_.fd_count = 0;
    for (auto [fd, interest] : watched_) {
      if (interest == kNone) continue;
      auto s = static_cast<SOCKET>(static_cast<intptr_t>(fd));
      if (interest & kReadable) r_.fd_array[r_.fd_count++] = s;
      if (interest & kWritable) {
        w_.fd_array[w_.fd_count++] = s;
        e_.fd_array[e_.fd_count++] = s;
      }
    }
    timeval tv{};
    timeval* tvp = nullptr;
    if (timeout) {
      auto us = roundUpTimeout<std::chrono::microseconds>(*timeout).count();
      tv.tv_sec = static_cast<long>(us / 1000000);
      tv.tv_usec = static_cast<long>(us % 1000000);
      tvp = &tv;
    }
    if (r_.fd_count == 0 && w_.fd_count == 0) {
      // Winsock's select fails at once (WSAEINVAL) with three empty sets: sleep instead.
      ::Sleep(tvp ? static_cast<DWORD>(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000) : INFINITE);
      return;
    }
    int n = ::select(0, &r_, &w_, &e_, tvp);  // the first argument is ignored by Winsock
    if (n <= 0) return;
    ready_.clear();
    auto mark = [&](const fd_set& set, unsigned ev) {
      for (u_int i = 0; i < set.fd_count; ++i)
        ready_.push_back({static_cast<int>(static_cast<intptr_t>(set.fd_array[i])), ev});
    };
    mark(r_, kReadable);
    mark(w_, kWritable);
    mark(e_, kWritable | kError);  // a failed connect: core reads SO_ERROR
    // One report per socket, as on POSIX (it can be in all three sets).
    std::sort(ready_.begin(), ready_.end());
    size_t out = 0;
    for (size_t i = 0; i < ready_.size(); ++i) {
      if (out > 0 && ready_[out - 1].first == ready_[i].first)
        ready_[out - 1].second |= ready_[i].second;
      else
        ready_[out++] = ready_[i];
    }
    ready_.resize(out);
    for (auto [fd, ev] : ready_) sink.ready(fd, ev);
  }

 private:
  // Drop the parked (kNone) slots of sockets closed since: their handle is no socket any more.
  // A handle value reused by a new socket keeps the slot, which is then that socket's.
  void reclaimClosed() {
    std::erase_if(watched_, [](const auto& entry) {
      if (entry.second != kNone) return false;
      int type = 0, len = sizeof type;
      auto s = static_cast<SOCKET>(static_cast<intptr_t>(entry.first));
      return ::getsockopt(s, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &len) != 0;
    });
  }

  std::unordered_map<int, unsigned> watched_;  // socket -> interest; kNone = parked
  fd_set r_{}, w_{}, e_{};                     // FD_SETSIZE entries each: members, not on the stack
  std::vector<std::pair<int, unsigned>> ready_;
};
#endif

}  // namespace

std::unique_ptr<Poller> makeSelectPoller() {
  return std::make_unique<SelectPoller>();
}

}  // namespace weft
