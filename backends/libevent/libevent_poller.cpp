// libevent backend: a foreign-loop Poller. libevent's event_base runs the loop; weft keeps one
// persistent event per fd, touched only when core changes that fd's interest, and one timer
// event for the next deadline of core's timer heap. Core's waker is an ordinary fd here, so
// callFromThread/stop wake the base without libevent's thread support. No bufferevents: they
// read 4 KiB at a time and re-add the write event on every write (docs/performance-log.md
// §1.2), while core's transport reads 64 KiB and writes at once.
#include "libevent/libevent_poller.hpp"

#include <event2/event.h>

#include <chrono>
#include <exception>
#include <string>
#include <vector>

#include "weft/detail/native_timer_deadline.hpp"
#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft {
namespace {

struct BaseFree {
  void operator()(event_base* b) const { event_base_free(b); }
};
struct ConfigFree {
  void operator()(event_config* c) const { event_config_free(c); }
};
struct EventFree {
  void operator()(event* e) const { event_free(e); }
};
using EventPtr = std::unique_ptr<event, EventFree>;

timeval toTimeval(Duration d) {
  auto us = roundUpTimeout<std::chrono::microseconds>(d).count();
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

class LibeventPoller final : public Poller {
 public:
  LibeventPoller() {
    std::unique_ptr<event_config, ConfigFree> cfg(event_config_new());
    if (!cfg) throw Error(ErrorKind::Internal, "event_config_new failed");
    // Only the loop thread touches the base (cross-thread wake-ups arrive on core's waker
    // fd), so libevent's locks would be pure overhead.
    event_config_set_flag(cfg.get(), EVENT_BASE_FLAG_NOLOCK);
    // Interest changes made inside one callback (event_del + event_add of the same fd) are
    // coalesced into at most one epoll_ctl at the next dispatch. libevent's caveat is dup()ed
    // fds; weft never registers two fds for one file, and a closed-and-reused fd number is
    // handled by libevent (MOD fails with ENOENT and is retried as ADD).
    event_config_set_flag(cfg.get(), EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    base_.reset(event_base_new_with_config(cfg.get()));
    if (!base_) throw Error(ErrorKind::Internal, "event_base_new_with_config failed");
    timer_.reset(evtimer_new(base_.get(), &LibeventPoller::onTimer, this));
    if (!timer_) throw Error(ErrorKind::Internal, "evtimer_new failed");
  }

  void update(int fd, unsigned was, unsigned now) override {
    if (static_cast<size_t>(fd) >= events_.size()) events_.resize(static_cast<size_t>(fd) + 1);
    EventPtr& ev = events_[fd];
    // event_assign needs a non-pending event; a deleted event is also off the active queue,
    // so a batch never delivers stale readiness to a reused fd number.
    if (was != kNone && ev) event_del(ev.get());
    if (now == kNone) return;  // the event object stays allocated for the fd's next user
    short what = static_cast<short>(EV_PERSIST | ((now & kReadable) ? EV_READ : 0) |
                                    ((now & kWritable) ? EV_WRITE : 0));
    if (!ev) {
      ev.reset(event_new(base_.get(), fd, what, &LibeventPoller::onFd, this));
      if (!ev) throw Error(ErrorKind::Internal, "event_new failed");
    } else if (event_assign(ev.get(), base_.get(), fd, what, &LibeventPoller::onFd, this) != 0) {
      throw Error(ErrorKind::Internal, "event_assign failed");
    }
    if (event_add(ev.get(), nullptr) != 0) throw Error(ErrorKind::Internal, "event_add failed");
  }

  // iterate(): one pass of the base, bounded by `timeout`.
  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    sink_ = &sink;
    if (timeout && timeout->count() <= 0) {
      event_base_loop(base_.get(), EVLOOP_NONBLOCK);
      return;
    }
    if (timeout) setTimer(*timeout);
    event_base_loop(base_.get(), EVLOOP_ONCE);
  }

  bool foreignLoop() const override { return true; }

  void runForeignLoop(ReadySink& sink) override {
    sink_ = &sink;
    quit_ = false;
    // NO_EXIT_ON_EMPTY: the loop ends when core says so, not when libevent runs out of events.
    while (!quit_) {
      if (event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY) < 0)
        throw Error(ErrorKind::Internal, "event_base_loop failed");
    }
  }

  void quitForeignLoop() override {
    quit_ = true;
    event_base_loopbreak(base_.get());
  }

  void armTimer(std::optional<Duration> timeout) override {
    // Called after every native callback, so it must usually cost nothing (see
    // NativeTimerDeadline).
    if (deadline_.needsArming(timeout)) addTimer(*timeout);
  }

 private:
  void setTimer(Duration timeout) {
    addTimer(timeout);
    deadline_.armed(detail::NativeTimerDeadline::deadlineIn(timeout));
  }
  void addTimer(Duration timeout) {
    timeval tv = toTimeval(timeout);
    evtimer_add(timer_.get(), &tv);  // re-adding a pending timer reschedules it
  }

  static void onFd(evutil_socket_t fd, short what, void* arg) {
    auto* self = static_cast<LibeventPoller*>(arg);
    // libevent reports EPOLLHUP/EPOLLERR as EV_READ|EV_WRITE (masked by our interest), so
    // core's recv/send sees the error itself.
    unsigned events = ((what & EV_READ) ? kReadable : 0u) | ((what & EV_WRITE) ? kWritable : 0u);
    guarded([&] {
      self->sink_->ready(static_cast<int>(fd), events);
      self->sink_->afterNativeCallback();
    });
  }

  static void onTimer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<LibeventPoller*>(arg);
    self->deadline_.disarmed();
    guarded([&] { self->sink_->afterNativeCallback(); });
  }

  // An exception must not unwind through libevent's C frames.
  template <class F>
  static void guarded(F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("exception in a libevent callback: ") + e.what());
    }
  }

  // Declared first, destroyed last: every event is freed while its base still exists.
  std::unique_ptr<event_base, BaseFree> base_;
  EventPtr timer_;
  std::vector<EventPtr> events_;  // indexed by fd
  ReadySink* sink_ = nullptr;
  detail::NativeTimerDeadline deadline_;
  bool quit_ = false;
};

}  // namespace

std::unique_ptr<Poller> makeLibeventPoller() {
  return std::make_unique<LibeventPoller>();
}

}  // namespace weft
