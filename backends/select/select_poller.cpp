// select(2) backend. select can only watch fds below FD_SETSIZE (a *value* limit on POSIX):
// fdLimit() tells core, which refuses such connections one by one with FdTooLarge instead of
// letting select() fail for everyone (Twisted #11553).
#include "select/select_poller.hpp"

#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <vector>

#include "weft/errors.hpp"

namespace weft {
namespace {

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
    if (timeout) {
      auto us = static_cast<long long>(std::ceil(timeout->count() * 1e6));
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

}  // namespace

std::unique_ptr<Poller> makeSelectPoller() {
  return std::make_unique<SelectPoller>();
}

}  // namespace weft
