// The Qt 6 reactor (`--reactor qt`): Qt's event loop drives core's readiness machinery.
// Two driving modes (README.md): run() runs QCoreApplication::exec() (so quit(),
// lastWindowClosed and aboutToQuit work), or start() returns at once and the application calls
// app.exec() itself; either way aboutToQuit shuts the reactor down before exec returns.
// Construct, run and destroy the reactor on the thread that owns the QCoreApplication (or on
// a QThread); if no QCoreApplication exists, the reactor creates one and owns it.
#pragma once

#include <memory>

#include "weft/poller_reactor.hpp"

class QCoreApplication;
class QObject;

namespace weft {

class QtPoller;

namespace detail {
// First base of QtReactor: the application it may create exists before the poller's
// notifiers and timers and outlives them (bases are destroyed in reverse order).
class QtAppHolder {
 protected:
  QtAppHolder();
  ~QtAppHolder();
  std::shared_ptr<QCoreApplication> ownedApp_;  // null when the application made its own
  std::unique_ptr<QtPoller> newPoller_;         // handed to PollerReactor at construction
  QtPoller* qtPoller_ = nullptr;                // then owned by PollerReactor
};
}  // namespace detail

class QtReactor final : private detail::QtAppHolder, public PollerReactor {
 public:
  // What a reactor started with start() does when stop() completes its shutdown.
  enum class StopPolicy {
    QuitApplication,  // default: QCoreApplication::quit(), so app.exec() returns
    DetachOnly,       // the application keeps running without the reactor
  };

  QtReactor();
  ~QtReactor() override;

  // Start without blocking (Twisted's runReturn): startup triggers fire now, then the
  // application's own app.exec() drives the reactor. Do not call run() while started.
  void start() { runDetached(); }
  void setStopPolicy(StopPolicy p);
  // Wake-up events Qt deleted without delivering them (QCoreApplication::removePostedEvents,
  // the application's destruction); each was replaced by a wake-up through core's eventfd.
  int droppedWakeUps() const;

 protected:
  // stop() and callFromThread(): a queued event to the loop thread (signal handlers still
  // write core's eventfd, the only async-signal-safe way in).
  void wakeUp() override;

 private:
  // Stop (if not stopping yet) and let Qt dispatch until shutdown has completed.
  void finishShutdownInsideLoop();

  std::unique_ptr<QObject> context_;  // receiver of aboutToQuit; lives on the loop thread
};

std::unique_ptr<Reactor> makeQtReactor();

}  // namespace weft
