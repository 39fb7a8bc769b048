// ReactorBackend: the backend-facing side of a Reactor. Every backend derives from it (core's
// PollerReactor for readiness backends, the Asio reactor for completion), and transports,
// ports and connectors reach the reactor through it. Applications include weft/reactor.hpp and
// never need this header.
#pragma once

#include <memory>
#include <optional>

#include "weft/reactor.hpp"
#include "weft/time.hpp"

namespace weft {

// A live connection as the reactor sees it, so shutdown can drain and close every one of
// them whatever transport implements it (core's StreamTransport, Asio's).
class TrackedConnection {
 public:
  virtual ~TrackedConnection() = default;
  virtual void beginShutdownDrain() = 0;  // flush what is queued, then close
  virtual void forceClose() = 0;          // close now; connectionLost runs synchronously
};

class ReactorBackend : public Reactor {
 public:
  ReactorBackend() = default;

  // --- for transports, ports and connectors ---
  // Take ownership of a live connection until retire().
  using Reactor::track;
  // Release a closed connection; destroyed at the start of the next tick, so callers may still
  // be on its stack.
  using Reactor::retire;
  // Ports are held by the reactor while listening and closed at shutdown.
  using Reactor::trackPort;
  using Reactor::untrackPort;
  // Connectors are kept alive while connecting/connected.
  using Reactor::holdConnector;
  using Reactor::releaseConnector;

 protected:
  // --- hooks each backend implements (declared by Reactor, which calls them) ---
  // Own-loop backends: block once for at most `timeout` (nullopt = until woken) and dispatch.
  void waitForEvents(std::optional<Duration> timeout) override = 0;
  // Thread-safe: make a blocked waitForEvents() (or a foreign loop) return promptly.
  void wakeUp() override = 0;
  // An fd written by the signal handler (async-signal-safe) to wake the loop; -1 if none.
  int signalWakeFd() const override = 0;
  // Default: own loop (tick, wait, repeat). Foreign-loop backends run their native loop and
  // call tick() from its callbacks.
  void runLoop() override;
  // A foreign-loop backend leaves its native loop (called on the loop thread).
  void exitLoop() override {}
  // The earliest deadline may have changed: foreign-loop backends re-arm their native timer.
  void deadlineChanged() override {}

  // --- what the hooks use ---
  // Run thread calls and due timers, advance shutdown. Returns false when the loop must exit.
  using Reactor::tick;
  // How long the loop may block: nullopt = indefinitely.
  using Reactor::timeout;
  // For backends that deliver signals themselves: record the signal and begin stop().
  using Reactor::stopFromSignal;
  // Derived destructors call this first: connections, ports and timers go while the
  // backend they depend on still exists.
  using Reactor::releaseAll;
  bool loopShouldExit() const { return exitRequested_; }
};

// Every Reactor is a ReactorBackend (Reactor's constructor is private to it): for layers that
// wrap a backend's objects and must hold them as it does (TLS's listening port).
inline ReactorBackend& backendOf(Reactor& reactor) {
  return static_cast<ReactorBackend&>(reactor);
}

}  // namespace weft
