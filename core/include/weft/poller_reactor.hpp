// PollerReactor: the Reactor for every readiness backend. It owns the Poller, the fd table,
// the waker and the reactor-wide 64 KiB read buffer, and implements listenTCP/connectTCP with
// core's StreamTransport, TcpPort and TcpConnector.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "weft/detail/waker.hpp"
#include "weft/poller.hpp"
#include "weft/reactor_backend.hpp"

namespace weft {

// Something watched by the fd table (a connection, a listening port, a connect in progress).
class FdHandler {
 public:
  virtual ~FdHandler() = default;
  virtual void onReady(unsigned events) = 0;
};

class PollerReactor : public ReactorBackend, private ReadySink {
 public:
  PollerReactor(std::unique_ptr<Poller> poller, std::string name);
  ~PollerReactor() override;

  std::string_view name() const override { return name_; }
  std::shared_ptr<ListeningPort> listenTCP(uint16_t port, Factory& factory, int backlog = 50,
                                           std::string_view interface = "127.0.0.1") override;
  std::shared_ptr<Connector> connectTCP(std::string_view host, uint16_t port,
                                        ClientFactory& factory, Duration timeout = Duration(30),
                                        std::optional<Address> bindAddress = {}) override;

  // --- fd table, used by core's transports ---
  // Start watching fd with `interest`; false if the poller cannot take this fd (FD_SETSIZE).
  [[nodiscard]] bool watch(int fd, FdHandler& h, unsigned interest);
  void setInterest(int fd, unsigned interest);
  void unwatch(int fd);
  int fdLimit() const { return poller_->fdLimit(); }
  // The reactor-wide read buffer: dataReceived gets views into it.
  char* readBuffer() { return readBuf_.get(); }
  static constexpr size_t kReadBufferSize = 64 * 1024;
  // Give up a file descriptor slot so accept() can succeed under EMFILE.
  bool releaseReserveFd();
  void restoreReserveFd();

  // Foreign-loop pollers only: fire the startup triggers, arm the native watchers and timer,
  // and return at once (Twisted's runReturn). The application then runs the native loop
  // itself (e.g. app.exec()); the reactor ticks from its callbacks. Once shutdown completes,
  // the poller's quitForeignLoop() is called so the backend can apply its stop policy.
  // Throws Error(AlreadyRunning) if the reactor is running, Error(Unavailable) for own-loop
  // pollers. Do not call run() while a detached run is active.
  void runDetached();

 protected:
  void waitForEvents(std::optional<Duration> timeout) override;
  void wakeUp() override { waker_.wake(); }
  int signalWakeFd() const override;
  void runLoop() override;
  void exitLoop() override;
  void deadlineChanged() override;
  // For backends that must hand the sink to their poller before any loop runs (a detached
  // run gets native callbacks without runForeignLoop()).
  ReadySink& readySink() { return *this; }

 private:
  void ready(int fd, unsigned events) override;
  void afterNativeCallback() override;

  struct Slot {
    FdHandler* handler = nullptr;
    unsigned interest = kNone;
    uint64_t epoch = 0;  // dispatch round in which the fd was (re)registered
  };
  class WakeHandler;

  std::unique_ptr<Poller> poller_;
  std::string name_;
  std::vector<Slot> fds_;
  uint64_t epoch_ = 1;
  detail::Waker waker_;
  std::unique_ptr<WakeHandler> wakeHandler_;
  std::unique_ptr<char[]> readBuf_;
  int reserveFd_ = -1;
  bool inForeignLoop_ = false;
  bool detachRequested_ = false;  // runDetached() is starting the reactor
  bool detachedLoop_ = false;     // a detached run is active until exitLoop()
  bool dispatching_ = false;
};

}  // namespace weft
