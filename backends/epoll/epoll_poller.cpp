// epoll(7) backend: level-triggered (like Twisted's and libuv's), one epoll_ctl per interest
// *change* only. Level-triggered because edge-triggered needs a read-until-EAGAIN per event,
// which measured 30% slower on small ping-pong here (docs/performance-log.md §1.1).
#include "epoll/epoll_poller.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "weft/errors.hpp"

namespace weft {
namespace {

class EpollPoller final : public Poller {
 public:
  EpollPoller() : epfd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0) throw Error(reasonFromErrno(errno, "epoll_create1"));
  }
  ~EpollPoller() override { ::close(epfd_); }

  void update(int fd, unsigned was, unsigned now) override {
    epoll_event ev{};
    ev.events = ((now & kReadable) ? EPOLLIN : 0u) | ((now & kWritable) ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    // No interest = not registered at all: a registered fd with an empty mask would still
    // report EPOLLHUP/EPOLLERR level-triggered, i.e. a busy loop for a paused connection.
    int op = was == kNone ? EPOLL_CTL_ADD : now == kNone ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (::epoll_ctl(epfd_, op, fd, &ev) != 0) {
      // The fd may already be closed by the time interest is dropped; nothing to undo then.
      if (op == EPOLL_CTL_DEL && (errno == EBADF || errno == ENOENT)) return;
      throw Error(reasonFromErrno(errno, "epoll_ctl"));
    }
  }

  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    int n = ::epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()),
                         timeoutMilliseconds(timeout));
    for (int i = 0; i < n; ++i) {
      const auto e = events_[i].events;
      unsigned ready = ((e & EPOLLIN) ? kReadable : 0u) | ((e & EPOLLOUT) ? kWritable : 0u) |
                       ((e & EPOLLHUP) ? kHangup : 0u) | ((e & EPOLLERR) ? kError : 0u);
      sink.ready(events_[i].data.fd, ready);
    }
  }

 private:
  int epfd_;
  std::array<epoll_event, 256> events_{};
};

}  // namespace

std::unique_ptr<Poller> makeEpollPoller() {
  return std::make_unique<EpollPoller>();
}

}  // namespace weft
