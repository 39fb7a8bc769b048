// poll(2) backend: a dense pollfd array with an fd -> index map, so adding and removing are
// O(1) (swap-with-last); each wait is O(watched fds), as poll(2) itself is.
#include "poll/poll_poller.hpp"

#include <poll.h>

#include <cerrno>
#include <vector>

#include "weft/errors.hpp"

namespace weft {
namespace {

short toPollEvents(unsigned interest) {
  return static_cast<short>(((interest & kReadable) ? POLLIN : 0) |
                            ((interest & kWritable) ? POLLOUT : 0));
}

class PollPoller final : public Poller {
 public:
  void update(int fd, unsigned was, unsigned now) override {
    if (static_cast<size_t>(fd) >= index_.size()) index_.resize(fd + 1, -1);
    int& idx = index_[fd];
    if (now == kNone) {
      if (idx < 0) return;
      pollfds_[idx] = pollfds_.back();
      index_[pollfds_[idx].fd] = idx;
      pollfds_.pop_back();
      idx = -1;
    } else if (idx < 0 || was == kNone) {
      idx = static_cast<int>(pollfds_.size());
      pollfds_.push_back(pollfd{fd, toPollEvents(now), 0});
    } else {
      pollfds_[idx].events = toPollEvents(now);
    }
  }

  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    int n = ::poll(pollfds_.data(), pollfds_.size(), timeoutMilliseconds(timeout));
    if (n <= 0) return;
    // Handlers may add or remove fds while we report: report from a snapshot.
    ready_.clear();
    for (const auto& p : pollfds_)
      if (p.revents != 0) ready_.push_back(p);
    for (const auto& p : ready_) {
      unsigned r = ((p.revents & POLLIN) ? kReadable : 0u) |
                   ((p.revents & POLLOUT) ? kWritable : 0u) |
                   ((p.revents & POLLHUP) ? kHangup : 0u) |
                   ((p.revents & (POLLERR | POLLNVAL)) ? kError : 0u);
      sink.ready(p.fd, r);
    }
  }

 private:
  std::vector<pollfd> pollfds_;
  std::vector<int> index_;  // fd -> position in pollfds_, -1 if absent
  std::vector<pollfd> ready_;
};

}  // namespace

std::unique_ptr<Poller> makePollPoller() {
  return std::make_unique<PollPoller>();
}

}  // namespace weft
