// kqueue(2) backend (BSD/macOS natively, Linux through libkqueue): EVFILT_READ and
// EVFILT_WRITE, level-triggered like the others. Interest changes are queued and handed to the
// kernel with the next kevent() wait, so toggling write interest while flushing costs no
// extra system call. Dropping all interest is the exception: core may close the fd right
// after, and a change for a closed fd (or for the next socket that reuses its number) must
// never be applied late, so those deletes go out at once, with EV_RECEIPT so that one failed
// change cannot hide the outcome of the others.
#include "kqueue/kqueue_poller.hpp"

#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string>
#include <vector>

#include "weft/errors.hpp"

namespace weft {
namespace {

// A change that failed because the fd was closed or never registered is not an error here:
// core only forgets fds it is about to close.
bool staleChange(intptr_t err) {
  return err == ENOENT || err == EBADF;
}

class KqueuePoller final : public Poller {
 public:
  KqueuePoller() : kq_(::kqueue()) {
    if (kq_ < 0) throw Error(reasonFromErrno(errno, "kqueue"));
  }
  ~KqueuePoller() override { ::close(kq_); }

  void update(int fd, unsigned was, unsigned now) override {
    queueFilter(fd, EVFILT_READ, was & kReadable, now & kReadable);
    queueFilter(fd, EVFILT_WRITE, was & kWritable, now & kWritable);
    // Deletes must reach the kernel before the fd is closed; a long queue is flushed early so
    // every error receipt of the next wait fits in the event list.
    if (now == kNone || changes_.size() >= kMaxQueued) flush(fd);
  }

  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    timespec ts{};
    timespec* tsp = nullptr;
    if (timeout) {
      auto us = roundUpTimeout<std::chrono::microseconds>(*timeout).count();
      ts.tv_sec = static_cast<time_t>(us / 1000000);
      ts.tv_nsec = static_cast<long>(us % 1000000) * 1000;
      tsp = &ts;
    }
    // The queued changes ride along with the wait: one system call for both.
    int n = ::kevent(kq_, changes_.data(), static_cast<int>(changes_.size()), events_.data(),
                     static_cast<int>(events_.size()), tsp);
    changes_.clear();
    if (n < 0) {
      if (errno == EINTR) return;
      throw Error(reasonFromErrno(errno, "kevent"));
    }
    ready_.clear();
    for (auto fd : failed_) ready_.push_back({fd, kError});
    failed_.clear();
    for (int i = 0; i < n; ++i) {
      const struct kevent& e = events_[i];
      int fd = static_cast<int>(e.ident);
      if (e.flags & EV_ERROR) {
        // A queued change that could not be applied; the fd's owner learns it as an error.
        if (e.data != 0 && !staleChange(e.data)) ready_.push_back({fd, kError});
        continue;
      }
      unsigned ev = 0;
      if (e.filter == EVFILT_READ) {
        // EV_EOF on the read side is the peer's FIN (or an error): report it as readable so
        // core reads what is left and then the 0-byte EOF, exactly as with poll/epoll.
        ev = kReadable;
      } else if (e.filter == EVFILT_WRITE) {
        // EV_EOF on the write side: nothing can be sent any more (both directions are gone,
        // POLLHUP's meaning).
        ev = kWritable | ((e.flags & EV_EOF) ? kHangup : 0u);
      }
      // With EV_EOF, fflags is the socket error. libkqueue got it by reading SO_ERROR, which
      // clears it, so core must be handed the errno or a refused connect would look like a
      // success and a reset like a clean close.
      if (e.flags & EV_EOF) ev |= withErrno(static_cast<int>(e.fflags));
      ready_.push_back({fd, ev});
    }
    // One report per fd, as poll/epoll give: the read and write filters of a socket arrive as
    // two events, and only the first carries the error. Sorting keeps the merge O(n log n).
    std::sort(ready_.begin(), ready_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t out = 0;
    for (size_t i = 0; i < ready_.size(); ++i) {
      if (out > 0 && ready_[out - 1].first == ready_[i].first) {
        unsigned& merged = ready_[out - 1].second;
        // Keep the first errno; OR-ing two different ones would invent a third.
        unsigned err = errnoOf(merged) ? 0u : ready_[i].second & ~((1u << kErrnoShift) - 1);
        merged |= (ready_[i].second & ((1u << kErrnoShift) - 1)) | err;
      } else {
        ready_[out++] = ready_[i];
      }
    }
    ready_.resize(out);
    // A handler may change interest (and so the queue) while we report: report from a copy.
    for (auto [fd, ev] : ready_) sink.ready(fd, ev);
  }

 private:
  static constexpr size_t kMaxQueued = 64;

  void queueFilter(int fd, int16_t filter, bool was, bool now) {
    if (was == now) return;
    struct kevent kev;
    EV_SET(&kev, static_cast<uintptr_t>(fd), filter, now ? EV_ADD : EV_DELETE, 0, 0, nullptr);
    changes_.push_back(kev);
  }

  // Apply the queued changes now. Each carries EV_RECEIPT and the event list has room for one
  // receipt per change, so kevent() returns only receipts and never blocks or consumes
  // readiness. A failed add for `fd` throws (the contract of update); one for another fd is
  // reported to its owner as kError with the next wait.
  void flush(int fd) {
    if (changes_.empty()) return;
    for (auto& c : changes_) c.flags |= EV_RECEIPT;
    receipts_.resize(changes_.size());
    timespec zero{};
    int n = ::kevent(kq_, changes_.data(), static_cast<int>(changes_.size()), receipts_.data(),
                     static_cast<int>(receipts_.size()), &zero);
    changes_.clear();
    if (n < 0) throw Error(reasonFromErrno(errno, "kevent"));
    int failedHere = 0;
    for (int i = 0; i < n; ++i) {
      const struct kevent& r = receipts_[i];
      if (!(r.flags & EV_ERROR) || r.data == 0) continue;
      if ((r.flags & EV_DELETE) || staleChange(r.data)) continue;
      if (static_cast<int>(r.ident) == fd)
        failedHere = static_cast<int>(r.data);
      else
        failed_.push_back(static_cast<int>(r.ident));
    }
    if (failedHere != 0) throw Error(reasonFromErrno(failedHere, "kevent"));
  }

  int kq_;
  std::vector<struct kevent> changes_;
  std::vector<struct kevent> receipts_;
  std::array<struct kevent, 256> events_{};
  std::vector<int> failed_;
  std::vector<std::pair<int, unsigned>> ready_;
};

}  // namespace

std::unique_ptr<Poller> makeKqueuePoller() {
  return std::make_unique<KqueuePoller>();
}

}  // namespace weft
