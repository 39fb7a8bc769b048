// The shared half of every reactor: run/stop state machine, system-event triggers, timers,
// thread calls, the thread pool, signal handling, and the shutdown drain.
#include "weft/reactor.hpp"

#include <signal.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "weft/errors.hpp"
#include "weft/log.hpp"
#include "weft/reactor_backend.hpp"

namespace weft {
namespace {

// Signal state is process-wide: one reactor at a time owns SIGINT/SIGTERM.
// Lock-free atomic: written by the handler (on any thread), read by the loop thread.
std::atomic<int> gPendingSignal{0};
static_assert(std::atomic<int>::is_always_lock_free);

#ifdef _WIN32
// Windows has no SIGINT/SIGTERM delivery to speak of: Ctrl-C, Ctrl-Break and console close
// arrive through the console control handler, on a thread the system creates for it. That
// thread may lock and allocate, so it wakes the loop through callFromThread (the waker's
// socket pair has no end a handler could write to that the loop watches); the mutex keeps the
// reactor alive while the handler uses it.
std::mutex gSignalReactorMu;
Reactor* gSignalReactor = nullptr;

BOOL WINAPI onConsoleControl(DWORD type) {
  int sig = (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT) ? SIGINT : SIGTERM;
  std::lock_guard lock(gSignalReactorMu);
  if (!gSignalReactor) return FALSE;  // not ours: the default handler ends the process
  gPendingSignal.store(sig, std::memory_order_relaxed);
  gSignalReactor->callFromThread([] {});
  return TRUE;
}
#else
std::atomic<int> gSignalWakeFd{-1};
struct sigaction gOldInt {
}, gOldTerm{};

extern "C" void onStopSignal(int sig) {
  gPendingSignal.store(sig, std::memory_order_relaxed);
  int fd = gSignalWakeFd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
  }
}
#endif

template <class F>
void guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("exception escaped ") + what + ": " + e.what());
  }
}

}  // namespace

Reactor::Reactor() : loopThread_(std::this_thread::get_id()) {
  timers_.setOnReschedule([this] { deadlineChanged(); });
}

Reactor::~Reactor() {
  uninstallSignalHandlers();
  pool_.join();
}

void Reactor::releaseAll() {
  // Called by the derived destructor while its fd table still exists: transports close their
  // sockets without callbacks when destroyed here.
  pool_.join();  // pool jobs may call back into the reactor
  // The application may still hold ports and connectors: close them while the backend they
  // point into exists, so their destructors later have nothing left to release.
  for (auto& c : std::vector(connectors_))
    if (c->state() == Connector::State::Connecting)
      guarded("stopConnecting", [&] { c->stopConnecting(); });
  for (auto& p : std::vector(ports_)) guarded("stopListening", [&] { p->stopListening(); });
  connectors_.clear();
  ports_.clear();
  connections_.clear();
  graveyard_.clear();
  timers_.clear();
}

TriggerId Reactor::addSystemEventTrigger(Phase phase, SystemEvent event, std::function<void()> fn) {
  TriggerId id = nextTrigger_++;
  triggers_.push_back(Trigger{id, phase, event, std::move(fn)});
  return id;
}

void Reactor::removeSystemEventTrigger(TriggerId id) {
  std::erase_if(triggers_, [id](const Trigger& t) { return t.id == id; });
}

void Reactor::fireEvent(SystemEvent ev, Phase phase) {
  // Copy: a trigger may add or remove triggers. Each runs once per firing, in FIFO order, and
  // one trigger's exception does not stop the others.
  std::vector<std::function<void()>> fns;
  for (auto& t : triggers_)
    if (t.event == ev && t.phase == phase) fns.push_back(t.fn);
  for (auto& f : fns) guarded("system event trigger", f);
}

void Reactor::callWhenRunning(std::function<void()> fn) {
  if (running()) {
    fn();
    return;
  }
  // A one-shot "after startup" trigger.
  auto id = std::make_shared<TriggerId>(0);
  *id = addSystemEventTrigger(Phase::After, SystemEvent::Startup, [this, id, fn = std::move(fn)] {
    removeSystemEventTrigger(*id);
    fn();
  });
}

void Reactor::run() {
  if (inRun_) throw Error(ErrorKind::AlreadyRunning, "run() called while the reactor is running");
  inRun_ = true;
  exitRequested_ = false;
  shutdown_ = ShutdownStage::None;
  stopRequested_.store(false);
  exitSignal_ = 0;
  loopThread_ = std::this_thread::get_id();

  fireEvent(SystemEvent::Startup, Phase::Before);
  running_.store(true, std::memory_order_release);
  fireEvent(SystemEvent::Startup, Phase::During);
  fireEvent(SystemEvent::Startup, Phase::After);

  if (!exitRequested_) runLoop();
  inRun_ = false;
  collectGarbage();
}

void ReactorBackend::runLoop() {
  while (tick()) waitForEvents(timeout());
}

void Reactor::stop() {
  if (!running_.load(std::memory_order_acquire) || stopRequested_.exchange(true)) {
    throw Error(ErrorKind::NotRunning, "stop() called when the reactor is not running");
  }
  wakeUp();
}

void Reactor::crash() {
  running_.store(false, std::memory_order_release);
  exitRequested_ = true;
  exitLoop();
}

void Reactor::iterate(Duration t) {
  // Re-entering the loop from a callback would run (and free) what is still on the stack and
  // reuse the shared read buffer under a live dataReceived view.
  if (inRun_ && isInIOThread())
    throw Error(ErrorKind::AlreadyRunning, "iterate() called from inside the running reactor");
  tick();
  waitForEvents(t);
  tick();
}

DelayedCall Reactor::callLater(Duration delay, std::function<void()> fn) {
  if (delay.count() < 0) delay = Duration(0);
  auto dc = timers_.schedule(Clock::now() + std::chrono::duration_cast<Clock::duration>(delay),
                             std::move(fn));
  deadlineChanged();
  return dc;
}

void Reactor::callFromThread(std::function<void()> fn) {
  bool first;
  {
    std::lock_guard lock(callsMu_);
    first = threadCalls_.empty();
    threadCalls_.push_back(std::move(fn));
    hasThreadCalls_.store(true, std::memory_order_release);
  }
  // A non-empty queue already has a wake-up on its way.
  if (first) wakeUp();
}

void Reactor::callInThread(std::function<void()> fn) {
  pool_.submit(std::move(fn));
}

bool Reactor::isInIOThread() const {
  return loopThread_.load() == std::this_thread::get_id();
}

void Reactor::runThreadCalls() {
  // The flag keeps the common case (nothing queued) off the mutex: tick() runs after every
  // event batch. A call queued after the load is seen on the next tick, which its wake-up
  // guarantees.
  if (!hasThreadCalls_.load(std::memory_order_acquire)) return;
  {
    std::lock_guard lock(callsMu_);
    hasThreadCalls_.store(false, std::memory_order_relaxed);
    if (threadCalls_.empty()) return;
    runningCalls_.swap(threadCalls_);
  }
  // Only the calls queued before this point run now; later ones wait for the next tick.
  for (auto& f : runningCalls_) guarded("callFromThread function", f);
  runningCalls_.clear();
}

void Reactor::stopFromSignal(int sig) {
  exitSignal_ = sig;
  if (running()) stopRequested_.store(true);
  wakeUp();
}

void Reactor::installSignalHandlers() {
  if (signalsInstalled_) return;
#ifdef _WIN32
  {
    std::lock_guard lock(gSignalReactorMu);
    gSignalReactor = this;
  }
  ::SetConsoleCtrlHandler(onConsoleControl, TRUE);
#else
  gSignalWakeFd.store(signalWakeFd());
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &gOldInt);
  sigaction(SIGTERM, &sa, &gOldTerm);
#endif
  signalsInstalled_ = true;
}

void Reactor::uninstallSignalHandlers() {
  if (!signalsInstalled_) return;
#ifdef _WIN32
  ::SetConsoleCtrlHandler(onConsoleControl, FALSE);
  {
    std::lock_guard lock(gSignalReactorMu);
    if (gSignalReactor == this) gSignalReactor = nullptr;
  }
#else
  sigaction(SIGINT, &gOldInt, nullptr);
  sigaction(SIGTERM, &gOldTerm, nullptr);
  gSignalWakeFd.store(-1);
#endif
  signalsInstalled_ = false;
}

bool Reactor::tick() {
  collectGarbage();
  if (signalsInstalled_ && gPendingSignal.load(std::memory_order_relaxed) != 0) {
    exitSignal_ = gPendingSignal.exchange(0);
    if (running()) stopRequested_.store(true);  // stop(), without throwing if already stopping
  }
  runThreadCalls();
  if (!timers_.empty()) timers_.runDue(Clock::now());  // no clock read when idle
  advanceShutdown();
  return !exitRequested_;
}

std::optional<Duration> Reactor::timeout() {
  if (exitRequested_) return Duration(0);
  if (hasThreadCalls_.load(std::memory_order_acquire)) return Duration(0);
  if (stopRequested_.load() && shutdown_ == ShutdownStage::None) return Duration(0);
  if (shutdown_ == ShutdownStage::Draining && connections_.empty()) return Duration(0);
  std::optional<TimePoint> next = timers_.nextDeadline();
  if (shutdown_ == ShutdownStage::Draining && (!next || drainDeadline_ < *next)) {
    next = drainDeadline_;
  }
  if (!next) return std::nullopt;
  // Twisted clamps to what epoll's int milliseconds can express.
  Duration d = std::max(Duration(0), Duration(*next - Clock::now()));
  return std::min(d, Duration(2147483.0));
}

void Reactor::advanceShutdown() {
  if (shutdown_ == ShutdownStage::None) {
    if (!stopRequested_.load() || !running()) return;
    shutdown_ = ShutdownStage::Draining;
    drainDeadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(shutdownTimeout_);
    fireEvent(SystemEvent::Shutdown, Phase::Before);
    // Stop accepting and connecting, then let every connection flush and close.
    for (auto& p : std::vector(ports_)) guarded("stopListening", [&] { p->stopListening(); });
    for (auto& c : std::vector(connectors_)) {
      if (c->state() == Connector::State::Connecting)
        guarded("stopConnecting", [&] { c->stopConnecting(); });
    }
    std::vector<TrackedConnection*> live;
    for (auto& [ptr, _] : connections_) live.push_back(ptr);
    for (auto* c : live)
      if (connections_.count(c)) guarded("shutdown drain", [&] { c->beginShutdownDrain(); });
  }
  if (shutdown_ == ShutdownStage::Draining &&
      (connections_.empty() || Clock::now() >= drainDeadline_)) {
    finishShutdown();
  }
}

void Reactor::finishShutdown() {
  shutdown_ = ShutdownStage::Done;
  // Whatever did not flush in time is closed now: every protocol still gets connectionLost.
  while (!connections_.empty()) {
    TrackedConnection* c = connections_.begin()->first;
    guarded("forceClose", [&] { c->forceClose(); });
    if (connections_.count(c)) retire(c);  // forceClose must retire; never loop forever
  }
  fireEvent(SystemEvent::Shutdown, Phase::During);
  pool_.join();
  fireEvent(SystemEvent::Shutdown, Phase::After);
  running_.store(false, std::memory_order_release);
  exitRequested_ = true;
  exitLoop();
}

void Reactor::track(std::unique_ptr<TrackedConnection> c) {
  auto* raw = c.get();
  connections_.emplace(raw, std::move(c));
}

void Reactor::retire(TrackedConnection* c) {
  auto it = connections_.find(c);
  if (it == connections_.end()) return;
  graveyard_.push_back(std::move(it->second));
  connections_.erase(it);
}

void Reactor::trackPort(std::shared_ptr<ListeningPort> p) {
  ports_.push_back(std::move(p));
}

void Reactor::untrackPort(ListeningPort* p) {
  std::erase_if(ports_, [p](const auto& q) { return q.get() == p; });
}

void Reactor::holdConnector(std::shared_ptr<Connector> c) {
  if (std::find(connectors_.begin(), connectors_.end(), c) == connectors_.end())
    connectors_.push_back(std::move(c));
}

void Reactor::releaseConnector(Connector* c) {
  // Deferred: the connector may be on the stack; keep it alive until the next tick.
  auto it = std::find_if(connectors_.begin(), connectors_.end(),
                         [c](const auto& q) { return q.get() == c; });
  if (it == connectors_.end()) return;
  releasedConnectors_.push_back(std::move(*it));
  connectors_.erase(it);
}

void Reactor::collectGarbage() {
  graveyard_.clear();
  releasedConnectors_.clear();
}

}  // namespace weft
