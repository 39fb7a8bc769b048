// Reactor: the event loop, as applications see it (Twisted's IReactorCore, IReactorTime,
// IReactorThreads, IReactorTCP). Every backend derives from ReactorBackend
// (weft/reactor_backend.hpp), which holds what transports and backends need and nothing here
// exposes: connection tracking and the loop hooks.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "weft/address.hpp"
#include "weft/delayed_call.hpp"
#include "weft/detail/thread_pool.hpp"
#include "weft/detail/timer_heap.hpp"
#include "weft/protocol.hpp"
#include "weft/time.hpp"

namespace weft {

class Reactor;
class ReactorBackend;
class TrackedConnection;

enum class Phase { Before, During, After };
enum class SystemEvent { Startup, Shutdown };
using TriggerId = uint64_t;

class ListeningPort {
 public:
  virtual ~ListeningPort() = default;
  // Closes the socket now; the factory's doStop runs. Idempotent.
  virtual void stopListening() = 0;
  virtual Address getHost() const = 0;
  virtual bool listening() const = 0;
};

class Connector : public std::enable_shared_from_this<Connector> {
 public:
  enum class State { Disconnected, Connecting, Connected };
  virtual ~Connector() = default;
  // Abandon a connection attempt in progress: clientConnectionFailed(UserCancelled).
  virtual void stopConnecting() = 0;
  // Stop connecting, or lose the established connection.
  virtual void disconnect() = 0;
  // Start a new attempt (e.g. from clientConnectionLost, to reconnect).
  virtual void connect() = 0;
  virtual State state() const = 0;
  virtual std::string destination() const = 0;  // "host:port"
  virtual Reactor& reactor() = 0;
};

class Reactor {
 public:
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;
  virtual ~Reactor();

  virtual std::string_view name() const = 0;

  // --- core ---
  // Fires startup triggers, runs the loop until stop(), fires shutdown triggers, returns.
  // Throws Error(AlreadyRunning) if running. A stopped reactor may be run again.
  void run();
  // Thread-safe and callable from callbacks; wakes the loop at once. Shutdown then runs on the
  // loop thread: "before" triggers, draining (every connection flushes and closes, bounded by
  // the shutdown timeout), "during" triggers (thread pool joined), "after" triggers.
  // Throws Error(NotRunning) if the reactor is not running or stop() was already called.
  void stop();
  // Leave the loop at once without shutdown triggers; run() may be called again.
  void crash();
  bool running() const { return running_.load(std::memory_order_acquire); }
  // One loop iteration: run what is due, wait at most `timeout` for I/O, dispatch it.
  void iterate(Duration timeout = Duration(0));
  TriggerId addSystemEventTrigger(Phase phase, SystemEvent event, std::function<void()> fn);
  void removeSystemEventTrigger(TriggerId id);
  // Runs fn once the reactor is running (at once if it already is).
  void callWhenRunning(std::function<void()> fn);
  // Bound on how long stop() waits for connections to flush before aborting them.
  void setShutdownTimeout(Duration d) { shutdownTimeout_ = d; }
  // SIGINT/SIGTERM stop this reactor cleanly (async-signal-safe wake-up). Idempotent.
  // Backends whose loop cannot watch signalWakeFd() (Asio) override both.
  virtual void installSignalHandlers();
  virtual void uninstallSignalHandlers();
  // The signal that stopped the reactor, or 0.
  int exitSignal() const { return exitSignal_; }

  // --- time ---
  double seconds() const { return toSeconds(Clock::now()); }
  DelayedCall callLater(Duration delay, std::function<void()> fn);
  size_t pendingDelayedCalls() const { return timers_.liveCount(); }

  // --- threads ---
  // The only thread-safe entry points besides stop(): fn runs on the reactor thread in FIFO
  // order, and wakes the loop.
  void callFromThread(std::function<void()> fn);
  // Runs fn on the bounded thread pool (joined at shutdown).
  void callInThread(std::function<void()> fn);
  void suggestThreadPoolSize(size_t n) { pool_.setMaxThreads(n); }
  bool isInIOThread() const;

  // --- TCP ---
  // Throws Error(CannotListen). Port 0 picks an ephemeral port (see getHost()).
  virtual std::shared_ptr<ListeningPort> listenTCP(uint16_t port, Factory& factory,
                                                   int backlog = 50,
                                                   std::string_view interface = "127.0.0.1") = 0;
  // Host names are resolved off the loop thread. Failures reach clientConnectionFailed.
  virtual std::shared_ptr<Connector> connectTCP(std::string_view host, uint16_t port,
                                                ClientFactory& factory,
                                                Duration timeout = Duration(30),
                                                std::optional<Address> bindAddress = {}) = 0;

  // Connections currently open (tracked for shutdown).
  size_t connectionCount() const { return connections_.size(); }

 private:
  // Only ReactorBackend (and through it, every backend) reaches what follows.
  friend class ReactorBackend;
  Reactor();

  // The loop hooks a backend implements (ReactorBackend documents each).
  virtual void waitForEvents(std::optional<Duration> timeout) = 0;
  virtual void wakeUp() = 0;
  virtual int signalWakeFd() const = 0;
  virtual void runLoop() = 0;
  virtual void exitLoop() = 0;
  virtual void deadlineChanged() = 0;

  void stopFromSignal(int sig);
  bool tick();
  std::optional<Duration> timeout();
  void releaseAll();
  void track(std::unique_ptr<TrackedConnection> c);
  void retire(TrackedConnection* c);
  void trackPort(std::shared_ptr<ListeningPort> p);
  void untrackPort(ListeningPort* p);
  void holdConnector(std::shared_ptr<Connector> c);
  void releaseConnector(Connector* c);

  enum class ShutdownStage { None, Draining, Done };
  void fireEvent(SystemEvent ev, Phase phase);
  void fire(SystemEvent ev);
  void runThreadCalls();
  void advanceShutdown();
  void finishShutdown();
  void collectGarbage();

  struct Trigger {
    TriggerId id;
    Phase phase;
    SystemEvent event;
    std::function<void()> fn;
  };

  detail::TimerHeap timers_;
  detail::ThreadPool pool_;
  std::vector<Trigger> triggers_;
  TriggerId nextTrigger_ = 1;

  std::mutex callsMu_;
  std::vector<std::function<void()>> threadCalls_;
  std::atomic<bool> hasThreadCalls_{false};          // threadCalls_ may be non-empty
  std::vector<std::function<void()>> runningCalls_;  // swapped out under the lock

  std::unordered_map<TrackedConnection*, std::unique_ptr<TrackedConnection>> connections_;
  std::vector<std::unique_ptr<TrackedConnection>> graveyard_;
  std::vector<std::shared_ptr<ListeningPort>> ports_;
  std::vector<std::shared_ptr<Connector>> connectors_;
  std::vector<std::shared_ptr<Connector>> releasedConnectors_;

  std::atomic<bool> running_{false};
  std::atomic<bool> stopRequested_{false};
  bool inRun_ = false;
  bool exitRequested_ = false;
  ShutdownStage shutdown_ = ShutdownStage::None;
  TimePoint drainDeadline_{};
  Duration shutdownTimeout_{5.0};
  std::atomic<std::thread::id> loopThread_{};
  bool signalsInstalled_ = false;
  int exitSignal_ = 0;
};

}  // namespace weft
