#include "weft/poller_reactor.hpp"


#include <exception>
#include <string>

#include "socket_ops.hpp"
#include "tcp_connector.hpp"
#include "tcp_port.hpp"
#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft {

class PollerReactor::WakeHandler final : public FdHandler {
 public:
  explicit WakeHandler(detail::Waker& w) : waker_(w) {}
  void onReady(unsigned) override { waker_.drain(); }

 private:
  detail::Waker& waker_;
};

PollerReactor::PollerReactor(std::unique_ptr<Poller> poller, std::string name)
    : poller_(std::move(poller)),
      name_(std::move(name)),
      wakeHandler_(std::make_unique<WakeHandler>(waker_)),
      readBuf_(std::make_unique<char[]>(kReadBufferSize)) {
  restoreReserveFd();
  if (!watch(waker_.readFd(), *wakeHandler_, kReadable))
    throw Error(ErrorKind::Internal, "cannot watch the waker fd");
}

PollerReactor::~PollerReactor() {
  releaseAll();
  unwatch(waker_.readFd());
  if (reserveFd_ >= 0) sockets::closeReserveFd(reserveFd_);
}

int PollerReactor::signalWakeFd() const {
  // The signal handler writes where wake() writes: the eventfd itself on Linux, the pipe's
  // write end on macOS/BSD (a write to the read end would fail, and Ctrl-C would wait for the
  // next event). Windows delivers Ctrl-C through the console control handler instead.
  return waker_.writeFd();
}

bool PollerReactor::watch(int fd, FdHandler& h, unsigned interest) {
  if (fd < 0 || fd >= poller_->fdLimit()) return false;
  if (static_cast<size_t>(fd) >= fds_.size())
    fds_.resize(std::max<size_t>(fd + 1, fds_.size() * 2));
  Slot& s = fds_[fd];
  if (s.interest != kNone) poller_->update(fd, s.interest, kNone);
  s = Slot{&h, kNone, epoch_};
  if (interest != kNone) {
    try {
      poller_->update(fd, kNone, interest);
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("cannot watch fd: ") + e.what());
      s = Slot{};
      return false;
    }
    s.interest = interest;
  }
  return true;
}

void PollerReactor::setInterest(int fd, unsigned interest) {
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
  Slot& s = fds_[fd];
  if (!s.handler || s.interest == interest) return;
  poller_->update(fd, s.interest, interest);
  s.interest = interest;
}

void PollerReactor::unwatch(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
  Slot& s = fds_[fd];
  if (s.interest != kNone) poller_->update(fd, s.interest, kNone);
  s = Slot{};
}

void PollerReactor::ready(int fd, unsigned events) {
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return;
  Slot& s = fds_[fd];
  // An fd (re)registered while this batch is dispatched may be a new socket that reuses the
  // number of one closed moments ago: the batch's readiness belongs to the old one.
  if (!s.handler || (dispatching_ && s.epoch == epoch_)) return;
  s.handler->onReady(events);
}

void PollerReactor::waitForEvents(std::optional<Duration> timeout) {
  ++epoch_;
  dispatching_ = true;
  poller_->wait(timeout, *this);
  dispatching_ = false;
}

void PollerReactor::runDetached() {
  if (!poller_->foreignLoop())
    throw Error(ErrorKind::Unavailable, "runDetached() needs a foreign-loop reactor");
  if (running() || detachedLoop_)
    throw Error(ErrorKind::AlreadyRunning, "runDetached() called while the reactor is running");
  detachRequested_ = true;
  try {
    run();  // returns as soon as runLoop() has armed the native watchers
  } catch (...) {
    detachRequested_ = false;
    throw;
  }
  detachRequested_ = false;
}

void PollerReactor::runLoop() {
  if (!poller_->foreignLoop()) {
    ReactorBackend::runLoop();
    return;
  }
  if (!tick()) return;
  inForeignLoop_ = true;
  poller_->armTimer(timeout());
  if (detachRequested_) {
    // The application drives the native loop; exitLoop() ends the detached run.
    detachedLoop_ = true;
    return;
  }
  poller_->runForeignLoop(*this);
  inForeignLoop_ = false;
}

void PollerReactor::afterNativeCallback() {
  if (!inForeignLoop_) return;
  if (!tick()) return;  // exitLoop() already asked the native loop to quit
  poller_->armTimer(timeout());
}

void PollerReactor::exitLoop() {
  if (!inForeignLoop_) return;
  if (detachedLoop_) {
    // Nobody returns from runForeignLoop() in a detached run: leave the loop state here.
    detachedLoop_ = false;
    inForeignLoop_ = false;
    poller_->armTimer(std::nullopt);
  }
  poller_->quitForeignLoop();
}

void PollerReactor::deadlineChanged() {
  if (inForeignLoop_) poller_->armTimer(timeout());
}

bool PollerReactor::releaseReserveFd() {
  if (reserveFd_ < 0) return false;
  sockets::closeReserveFd(reserveFd_);
  reserveFd_ = -1;
  return true;
}

void PollerReactor::restoreReserveFd() {
  if (reserveFd_ < 0) reserveFd_ = sockets::openReserveFd();
}

std::shared_ptr<ListeningPort> PollerReactor::listenTCP(uint16_t port, Factory& factory,
                                                        int backlog, std::string_view interface) {
  return TcpPort::open(*this, port, factory, backlog, interface);
}

std::shared_ptr<Connector> PollerReactor::connectTCP(std::string_view host, uint16_t port,
                                                     ClientFactory& factory, Duration timeout,
                                                     std::optional<Address> bindAddress) {
  auto c = std::make_shared<TcpConnector>(*this, std::string(host), port, factory, timeout,
                                          std::move(bindAddress));
  c->connect();
  return c;
}

}  // namespace weft
