// Qt 6 backend: a foreign-loop poller. One QSocketNotifier per fd and direction (created on
// first use, then only enabled/disabled, never deleted and re-created: Qt refuses a second
// notifier for the same fd and type until the first is gone), one single-shot PreciseTimer for
// core's next deadline. Wake-ups from other threads (stop, callFromThread) are events posted to
// a loop-thread QObject, Qt's own queued-call mechanism; signal handlers, which may not call
// Qt, write core's eventfd waker, watched by a notifier. Shutdown policy and driving modes:
// README.md.
#include "qt/qt_reactor.hpp"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft {

class QtPoller final : public Poller {
 public:
  QtPoller() {
    timer_.setSingleShot(true);
    timer_.setTimerType(Qt::PreciseTimer);  // Coarse may fire 5% early; core re-checks anyway
    QObject::connect(&timer_, &QTimer::timeout, &context_, [this] { nativeCallback(); });
    waitTimer_.setSingleShot(true);
    waitTimer_.setTimerType(Qt::PreciseTimer);
  }

  void setSink(ReadySink& sink) { sink_ = &sink; }
  void setQuitAppOnStop(bool q) { quitAppOnStop_ = q; }
  bool inCallback() const { return depth_ > 0; }

  void update(int fd, unsigned was, unsigned now) override {
    (void)was;
    if (fd < 0) throw Error(ErrorKind::Internal, "negative fd");
    if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(fd + 1);
    setWanted(fds_[fd].read, fd, QSocketNotifier::Read, (now & kReadable) != 0);
    setWanted(fds_[fd].write, fd, QSocketNotifier::Write, (now & kWritable) != 0);
  }

  // iterate(): dispatch once, waiting at most `timeout` for something to happen.
  void wait(std::optional<Duration> timeout, ReadySink& sink) override {
    sink_ = &sink;
    auto* dispatcher = QAbstractEventDispatcher::instance();
    if (!dispatcher) return;
    if (timeout && timeout->count() <= 0) {
      dispatcher->processEvents(QEventLoop::AllEvents);
      return;
    }
    // The wait timer has no slot: its event alone ends processEvents().
    if (timeout) waitTimer_.start(timeoutMilliseconds(timeout));
    dispatcher->processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
    waitTimer_.stop();
  }

  bool foreignLoop() const override { return true; }

  void runForeignLoop(ReadySink& sink) override {
    sink_ = &sink;
    quitRequested_ = false;
    auto* app = QCoreApplication::instance();
    // app.exec() whenever we can: only it makes quit(), lastWindowClosed and aboutToQuit work.
    // A private loop when run() is nested in a running loop or on a secondary QThread.
    if (app && QThread::currentThread() == app->thread() &&
        QThread::currentThread()->loopLevel() == 0) {
      runningApp_ = true;
      QCoreApplication::exec();
      runningApp_ = false;
    } else {
      QEventLoop loop;
      loops_.push_back(&loop);
      loop.exec();
      loops_.pop_back();
    }
    // Someone else ended the loop (QCoreApplication::exit() while our private loop ran):
    // the reactor still shuts down completely before run() returns.
    if (!quitRequested_ && onLoopEndedEarly_) onLoopEndedEarly_();
  }

  void quitForeignLoop() override {
    quitRequested_ = true;
    if (!loops_.empty()) {
      // Our own loop: never QCoreApplication::exit(), which leaves quitNow set when app.exec()
      // is not running and makes every later QEventLoop::exec() return at once.
      loops_.back()->exit(0);
    } else if (runningApp_ || quitAppOnStop_) {
      // quit() does nothing unless app.exec() is running, and exec() clears quitNow itself.
      QCoreApplication::quit();
    }
  }

  void armTimer(std::optional<Duration> timeout) override {
    if (!timeout) {
      if (timer_.isActive()) timer_.stop();
      return;
    }
    int ms = timeoutMilliseconds(timeout);
    auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    // Re-arming costs a timer (un)registration in the dispatcher; after most callbacks the
    // deadline has not moved.
    if (timer_.isActive() && deadline - armedDeadline_ < std::chrono::milliseconds(1) &&
        armedDeadline_ - deadline < std::chrono::milliseconds(1))
      return;
    armedDeadline_ = deadline;
    timer_.start(ms);
  }

  // Dispatch Qt events until `done` (aboutToQuit, or a loop someone else ended). The
  // dispatcher, not a QEventLoop: QEventLoop::exec() returns at once while quitNow is set.
  void pumpUntil(const std::function<bool()>& done) {
    auto* dispatcher = QAbstractEventDispatcher::instance();
    while (dispatcher && !done())
      dispatcher->processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
  }

  void setLoopEndedEarlyHandler(std::function<void()> f) { onLoopEndedEarly_ = std::move(f); }
  // Called when Qt deletes a wake event it never delivered; must not call Qt (see wakeDropped).
  void setWakeDroppedHandler(std::function<void()> f) { onWakeDropped_ = std::move(f); }
  int wakesDropped() const { return wakesDropped_.load(std::memory_order_relaxed); }

  // stop() and callFromThread() from any thread: one posted event to a loop-thread object
  // wakes the loop at once. Core's own queue carries the calls (mutex-protected); the event
  // only says "tick", so wake-ups coalesce into one pending event.
  void postWake() {
    // Allocated before the flag is raised: the handler's acquire of the flag then orders this
    // allocation before Qt deletes the event on the loop thread. QtCore is not instrumented,
    // so that edge is the one ThreadSanitizer sees.
    auto event = std::make_unique<WakeEvent>(*this);
    if (wakePosted_.exchange(true, std::memory_order_acq_rel)) {
      event->settle();  // one is on its way: this one is never posted
      return;
    }
    // Posts are serialized here although Qt locks its posted-event list itself: Qt's mutex is
    // futex-based code TSan cannot see, while the list's growth (malloc, memmove) goes through
    // TSan's interceptors. Two threads posting one after the other would otherwise look like
    // a race. Only posts that raise the flag get here, so the lock is rarely contended.
    std::lock_guard lock(postMu_);
    QCoreApplication::postEvent(&wakeReceiver_, event.release());  // Qt deletes it
  }

 private:
  // A wake event knows whether it is still pending. Qt also deletes posted events it never
  // delivers: QCoreApplication::removePostedEvents (callable by the application) and the
  // application's destruction. Such an event must not leave wakePosted_ raised, or every
  // later wake-up would be skipped and calls from other threads would wait forever.
  // Pending from construction, before the flag is raised, so the loop thread's settle() is
  // ordered after it by the flag, for ThreadSanitizer too.
  class WakeEvent final : public QEvent {
   public:
    explicit WakeEvent(QtPoller& poller) : QEvent(wakeEventType()), poller_(poller) {}
    ~WakeEvent() override {
      if (pending_) poller_.wakeDropped();
    }
    // Delivered, or never posted because another wake-up was already on its way.
    void settle() { pending_ = false; }

   private:
    QtPoller& poller_;
    bool pending_ = true;
  };

  // On whichever thread deleted an undelivered wake event, maybe under Qt's posted-event lock
  // (QCoreApplication's destructor deletes them holding it), so no Qt call here: the flag is
  // lowered and core's eventfd, watched by a notifier, carries this wake-up instead.
  void wakeDropped() {
    wakesDropped_.fetch_add(1, std::memory_order_relaxed);
    wakePosted_.store(false, std::memory_order_release);
    if (onWakeDropped_) onWakeDropped_();
  }

  // The loop-thread object wake-ups are posted to.
  class WakeReceiver final : public QObject {
   public:
    explicit WakeReceiver(QtPoller& poller) : poller_(poller) {}

   protected:
    bool event(QEvent* e) override {
      // Acquire before reading the event: a wake event was allocated on the posting thread,
      // and this load reads that thread's exchange (only this handler clears the flag), so
      // the allocation happens-before the read for ThreadSanitizer too.
      if (!poller_.wakePosted_.load(std::memory_order_acquire) || e->type() != wakeEventType())
        return QObject::event(e);
      // Cleared before the tick: a wake-up requested after core looked at its queue posts a
      // new event.
      static_cast<WakeEvent*>(e)->settle();
      poller_.wakePosted_.exchange(false, std::memory_order_acq_rel);
      poller_.nativeCallback();
      return true;
    }

   private:
    QtPoller& poller_;
  };

  static QEvent::Type wakeEventType() {
    static const auto type = static_cast<QEvent::Type>(QEvent::registerEventType());
    return type;
  }

  class Notifier final : public QSocketNotifier {
   public:
    Notifier(QtPoller& poller, int fd, Type type, unsigned bit)
        : QSocketNotifier(fd, type), poller_(poller), fd_(fd), bit_(bit) {}
    bool wanted = true;      // core's interest
    bool suspended = false;  // disabled while a nested event loop runs inside a callback

   protected:
    // Overriding event() instead of connecting to activated(): no signal machinery per event.
    bool event(QEvent* e) override {
      if (e->type() != QEvent::SockAct) return QSocketNotifier::event(e);
      poller_.onActivated(*this, fd_, bit_);
      return true;
    }

   private:
    QtPoller& poller_;
    int fd_;
    unsigned bit_;
  };

  struct FdNotifiers {
    std::unique_ptr<Notifier> read, write;
  };

  void setWanted(std::unique_ptr<Notifier>& n, int fd, QSocketNotifier::Type type, bool want) {
    if (!n) {
      if (!want) return;
      // Created enabled; owned here, destroyed with the poller on the loop thread.
      n = std::make_unique<Notifier>(*this, fd, type,
                                     type == QSocketNotifier::Read ? kReadable : kWritable);
      n->wanted = true;
      return;
    }
    n->wanted = want;
    // A suspended notifier is re-enabled (if still wanted) when the callback returns.
    if (!n->suspended && n->isEnabled() != want) n->setEnabled(want);
  }

  // Core is not re-entrant: a callback that spins a nested event loop (a modal dialog opened
  // from dataReceived or a delayed call) must not see core run again underneath it. Core's
  // shared read buffer, its thread-call queue and its deferred deletion of closed connections
  // all assume one dispatch at a time (qt5reactor's processEvents recursion, ghtdak#7, is the
  // same hazard). So while a weft callback is on the stack, Qt keeps running the GUI, but
  // our notifiers that fire are disabled and timer or wake-up callbacks are remembered; both
  // are resumed as soon as the outermost callback returns.
  void onActivated(Notifier& n, int fd, unsigned bit) {
    if (depth_ > 0) {
      // Disabled, or the level-triggered notifier would spin the nested loop.
      n.suspended = true;
      n.setEnabled(false);
      suspended_.push_back(&n);
      return;
    }
    dispatch([&] {
      sink_->ready(fd, bit);
      sink_->afterNativeCallback();
    });
  }

  void nativeCallback() {
    if (!sink_) return;
    if (depth_ > 0) {
      tickDeferred_ = true;
      return;
    }
    dispatch([&] { sink_->afterNativeCallback(); });
  }

  template <class F>
  void dispatch(F&& f) {
    ++depth_;
    guarded(f);
    --depth_;
    // Only the outermost callback gets here with work deferred by a nested event loop.
    while (depth_ == 0 && (tickDeferred_ || !suspended_.empty())) {
      for (Notifier* n : std::exchange(suspended_, {})) {
        n->suspended = false;
        if (n->wanted) n->setEnabled(true);  // fires again if the fd is still ready
      }
      if (std::exchange(tickDeferred_, false)) {
        ++depth_;
        guarded([&] { sink_->afterNativeCallback(); });
        --depth_;
      }
    }
  }

  template <class F>
  static void guarded(F&& f) {
    // An exception must not unwind through Qt's event dispatch (undefined behaviour there).
    try {
      f();
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("exception escaped into the Qt event loop: ") + e.what());
    }
  }

  QObject context_;  // context of the timer's connection; declared first, destroyed last
  QTimer timer_;
  QTimer waitTimer_;
  std::vector<FdNotifiers> fds_;
  ReadySink* sink_ = nullptr;
  std::vector<QEventLoop*> loops_;
  std::function<void()> onLoopEndedEarly_;
  std::function<void()> onWakeDropped_;
  TimePoint armedDeadline_{};
  std::vector<Notifier*> suspended_;  // never deleted while the poller lives
  int depth_ = 0;                     // weft callbacks on the stack
  bool tickDeferred_ = false;
  bool runningApp_ = false;
  bool quitRequested_ = false;
  bool quitAppOnStop_ = true;
  std::atomic<bool> wakePosted_{false};
  std::atomic<int> wakesDropped_{0};
  std::mutex postMu_;  // serializes postWake()'s postEvent calls for ThreadSanitizer
  // Last: destroyed first, which also discards its pending posted events.
  WakeReceiver wakeReceiver_{*this};
};

namespace detail {
namespace {
// Shared by every reactor that found no application: the first creates it, the last destroys
// it, so reactors may be created and destroyed in any order.
std::weak_ptr<QCoreApplication> gReactorApp;
int gArgc = 1;
char gArg0[] = "weft";
char* gArgv[] = {gArg0, nullptr};
}  // namespace

QtAppHolder::QtAppHolder() {
  if (!QCoreApplication::instance()) {
    ownedApp_ = std::make_shared<QCoreApplication>(gArgc, gArgv);
    gReactorApp = ownedApp_;
  } else {
    ownedApp_ = gReactorApp.lock();  // ours from an earlier reactor, or null (the app's own)
  }
  newPoller_ = std::make_unique<QtPoller>();
  qtPoller_ = newPoller_.get();
}

QtAppHolder::~QtAppHolder() = default;
}  // namespace detail

QtReactor::QtReactor()
    : PollerReactor(std::move(newPoller_), "qt"), context_(std::make_unique<QObject>()) {
  qtPoller_->setSink(readySink());
  qtPoller_->setLoopEndedEarlyHandler([this] { finishShutdownInsideLoop(); });
  qtPoller_->setWakeDroppedHandler([this] { PollerReactor::wakeUp(); });  // core's eventfd
  // Both driving modes end in app.exec(); aboutToQuit is our last chance to close
  // connections, fire the shutdown triggers and join the thread pool before it returns.
  QObject::connect(QCoreApplication::instance(), &QCoreApplication::aboutToQuit, context_.get(),
                   [this] { finishShutdownInsideLoop(); });
}

int QtReactor::droppedWakeUps() const {
  return qtPoller_->wakesDropped();
}

QtReactor::~QtReactor() {
  // The poller outlives core's eventfd (it is destroyed last, discarding its posted events).
  qtPoller_->setWakeDroppedHandler(nullptr);
  // Connections and ports close (unwatching their fds) while the notifiers still exist.
  releaseAll();
}

void QtReactor::wakeUp() {
  qtPoller_->postWake();
}

void QtReactor::setStopPolicy(StopPolicy p) {
  qtPoller_->setQuitAppOnStop(p == StopPolicy::QuitApplication);
}

void QtReactor::finishShutdownInsideLoop() {
  if (!running()) return;
  try {
    stop();
  } catch (const Error&) {
    // Already stopping: let it finish.
  }
  // Inside one of our callbacks (a Qt that emits aboutToQuit from exit()) the outer dispatch
  // finishes the shutdown; pumping here would re-enter core.
  if (qtPoller_->inCallback()) return;
  qtPoller_->pumpUntil([this] { return !running() || loopShouldExit(); });
}

std::unique_ptr<Reactor> makeQtReactor() {
  return std::make_unique<QtReactor>();
}

}  // namespace weft
