// The Qt reactor's shutdown scenarios (docs/qt-shutdown.md §3). One scenario per
// process: `weft_qt_scenario NAME`. ctest runs each under the glib dispatcher and under
// QT_NO_GLIB=1, with QT_FATAL_WARNINGS=1 (any Qt warning aborts). Every scenario checks, on
// top of its own expectations: it ends before its deadline (a watchdog thread kills it
// otherwise), the shutdown triggers fired exactly once per run, every protocol got exactly
// one connectionLost, and /proc/self/fd holds what it held before the scenario.
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QEventLoop>
#include <QGuiApplication>
#include <QThread>
#include <QTimer>
#include <QWindow>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "qt/qt_reactor.hpp"
#include "weft/errors.hpp"

namespace weft::qtscenario {
namespace {

using namespace std::chrono_literals;

int gFailures = 0;
int gArgc = 1;
char gArg0[] = "weft_qt_scenario";
char* gArgv[] = {gArg0, nullptr};

#define CHECK(cond)                                               \
  do {                                                            \
    if (!(cond)) {                                                \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++gFailures;                                                \
    }                                                             \
  } while (0)
#define CHECK_EQ(a, b)                                                                 \
  do {                                                                                 \
    auto va_ = (a);                                                                    \
    auto vb_ = (b);                                                                    \
    if (!(va_ == vb_)) {                                                               \
      std::printf("FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, \
                  static_cast<long long>(va_), static_cast<long long>(vb_));           \
      ++gFailures;                                                                     \
    }                                                                                  \
  } while (0)

int openFds() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  while (auto* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n - 1;  // the directory itself
}

double secondsSince(Clock::time_point t) {
  return Duration(Clock::now() - t).count();
}

// Counts shutdown triggers per phase.
struct Triggers {
  int before = 0, during = 0, after = 0;
  void install(Reactor& r) {
    r.addSystemEventTrigger(Phase::Before, SystemEvent::Shutdown, [this] { ++before; });
    r.addSystemEventTrigger(Phase::During, SystemEvent::Shutdown, [this] { ++during; });
    r.addSystemEventTrigger(Phase::After, SystemEvent::Shutdown, [this] { ++after; });
  }
  void expect(int runs) {
    CHECK_EQ(before, runs);
    CHECK_EQ(during, runs);
    CHECK_EQ(after, runs);
  }
};

// Every protocol built here reports to a ledger, so the end check can see that each got
// exactly one connectionLost.
struct Ledger {
  std::vector<std::shared_ptr<int>> lost;
  int made = 0;
  void expectAllLostOnce() {
    for (auto& l : lost) CHECK_EQ(*l, 1);
  }
};

class Tracked : public Protocol {
 public:
  Tracked(Ledger& l) : lost_(std::make_shared<int>(0)) {
    l.lost.push_back(lost_);
    ++l.made;
  }
  void connectionMade() override {
    if (onMade) onMade(*this);
  }
  void dataReceived(std::string_view d) override {
    received += d.size();
    if (onData) onData(*this, d);
  }
  void connectionLost(const Reason&) override { ++*lost_; }
  std::function<void(Tracked&)> onMade;
  std::function<void(Tracked&, std::string_view)> onData;
  size_t received = 0;

 private:
  std::shared_ptr<int> lost_;
};

class TrackedFactory : public ClientFactory {
 public:
  explicit TrackedFactory(Ledger& l) : ledger(l) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    auto p = std::make_unique<Tracked>(ledger);
    p->onMade = onMade;
    p->onData = onData;
    return p;
  }
  Ledger& ledger;
  std::function<void(Tracked&)> onMade;
  std::function<void(Tracked&, std::string_view)> onData;
};

// A raw peer on its own thread: connects, reads until EOF, reports. A peer made with a `gate`
// does not read a byte until the gate opens (bounded: 10 s), so the server's writes stay
// pending until it gives up on us.
struct RawPeer {
  std::atomic<size_t> bytes{0};
  std::atomic<bool> eof{false};  // the read ended with EOF (not an error, not a timeout)
  std::thread thread;
  void start(uint16_t port, const std::atomic<bool>* gate = nullptr) {
    thread = std::thread([this, port, gate] {
      int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return;
      }
      if (gate) {
        auto until = Clock::now() + 10s;
        while (!gate->load() && Clock::now() < until) std::this_thread::sleep_for(1ms);
        timeval tv{5, 0};  // a server that never closes must not hang the peer
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      }
      char buf[65536];
      for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
          eof = n == 0;
          break;
        }
        bytes += static_cast<size_t>(n);
      }
      ::close(fd);
    });
  }
  void join() {
    if (thread.joinable()) thread.join();
  }
};

// A listening server plus `n` weft client connections to it; calls `ready` once all are up.
struct Loopback {
  Ledger ledger;
  TrackedFactory server{ledger};
  TrackedFactory client{ledger};
  std::shared_ptr<ListeningPort> port;
  int connected = 0;
  void open(Reactor& r, int n, std::function<void()> ready) {
    port = r.listenTCP(0, server);
    server.onMade = [this, n, ready](Tracked&) {
      if (++connected == n && ready) ready();
    };
    for (int i = 0; i < n; ++i) r.connectTCP("127.0.0.1", port->getHost().port(), client);
  }
};

QWindow* showWindow() {
  auto* w = new QWindow;  // deleted by the scenario (no parent)
  w->resize(120, 80);
  w->show();
  return w;
}

// --- the scenarios -------------------------------------------------------------------------

// 1: stop() from callWhenRunning with nothing else scheduled returns at once (ghtdak#3).
void s01() {
  QtReactor r;
  Triggers t;
  t.install(r);
  r.callWhenRunning([&] { r.stop(); });
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 0.5);
  t.expect(1);
}

// 2: stop() before run() is NotRunning; a later run() still works.
void s02() {
  QtReactor r;
  Triggers t;
  t.install(r);
  bool threw = false;
  try {
    r.stop();
  } catch (const Error& e) {
    threw = e.kind() == ErrorKind::NotRunning;
  }
  CHECK(threw);
  bool ran = false;
  r.callLater(10ms, [&] {
    ran = true;
    r.stop();
  });
  r.run();
  CHECK(ran);
  t.expect(1);
}

// 3: a second stop() throws NotRunning and the triggers run once.
void s03() {
  QtReactor r;
  Triggers t;
  t.install(r);
  bool threw = false;
  r.callWhenRunning([&] {
    r.stop();
    try {
      r.stop();
    } catch (const Error& e) {
      threw = e.kind() == ErrorKind::NotRunning;
    }
  });
  r.run();
  CHECK(threw);
  bool threwAfter = false;
  try {
    r.stop();
  } catch (const Error&) {
    threwAfter = true;
  }
  CHECK(threwAfter);
  t.expect(1);
}

// 4: stop with open connections and pending writes. Flush policy: a peer that reads gets every
// queued byte and then EOF; a peer that does not read is cut off after the shutdown timeout.
void s04() {
  QCoreApplication app(gArgc, gArgv);
  int fdsBefore = openFds();
  {
    QtReactor r;
    Triggers t;
    t.install(r);
    r.setShutdownTimeout(Duration(0.5));
    Loopback lb;  // two weft<->weft connections
    constexpr size_t kBig = 4 << 20;
    RawPeer reader, idler;
    std::atomic<bool> runReturned{false};
    int serverConns = 0;
    lb.open(r, 2, [&] {
      lb.server.onMade = [&](Tracked& p) {
        // Each raw peer gets 4 MiB queued at once: far more than the socket buffers hold.
        p.transport->write(std::string(kBig, 'x'));
        if (++serverConns == 2) r.callLater(20ms, [&] { r.stop(); });
      };
      reader.start(lb.port->getHost().port());
      idler.start(lb.port->getHost().port(), &runReturned);  // reads only once run() returned
    });
    auto start = Clock::now();
    r.run();
    double took = secondsSince(start);
    runReturned = true;
    std::printf("run() took %.3f s\n", took);
    reader.join();
    idler.join();
    CHECK_EQ(reader.bytes.load(), kBig);  // flushed completely
    CHECK(reader.eof.load());
    CHECK(idler.eof.load());  // cut off at the timeout: its socket was closed
    // run() returned before the idler read a byte: the drain gave up at the timeout, not
    // before it (a lower bound only: a loaded machine can make it later, never earlier).
    CHECK(took >= 0.5);
    CHECK_EQ(lb.ledger.made, 6);
    lb.ledger.expectAllLostOnce();
    CHECK_EQ(r.connectionCount(), 0u);
    t.expect(1);
  }
  CHECK_EQ(openFds(), fdsBefore);
}

// 5: stop() and callFromThread() from a std::thread and from a QThread wake the loop at once.
void s05() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  std::atomic<int> calls{0};
  std::thread worker;
  std::unique_ptr<QThread> qthread;
  [[maybe_unused]] std::thread stopperThread;
  Clock::time_point stopAt;
  r.callWhenRunning([&] {
    worker = std::thread([&] {
      std::this_thread::sleep_for(30ms);
      r.callFromThread([&] { ++calls; });
    });
    auto stopper = [&] {
      std::this_thread::sleep_for(60ms);
      r.callFromThread([&] { ++calls; });
      stopAt = Clock::now();
      r.stop();
    };
#ifdef __SANITIZE_THREAD__
    // QThread's own start/finish handshake runs in uninstrumented QtCore: TSan reports it.
    stopperThread = std::thread(stopper);
#else
    qthread.reset(QThread::create(stopper));
    qthread->start();
#endif
  });
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 1.0);
  CHECK(secondsSince(stopAt) < 0.5);
  worker.join();
  if (stopperThread.joinable()) stopperThread.join();
  if (qthread) qthread->wait();
  CHECK_EQ(calls.load(), 2);
  t.expect(1);
}

// 6: QGuiApplication (offscreen), window shown, reactor.run() drives; closing the window ends
// run() through Qt's own last-window-closed quit, with a full shutdown.
void s06() {
  QGuiApplication app(gArgc, gArgv);
  int fdsBefore = openFds();
  {
    QtReactor r;
    Triggers t;
    t.install(r);
    std::unique_ptr<QWindow> w(showWindow());
    Loopback lb;
    lb.open(r, 2, [&] { r.callLater(30ms, [&] { w->close(); }); });
    auto start = Clock::now();
    r.run();
    CHECK(secondsSince(start) < 2.0);
    CHECK(!r.running());
    lb.ledger.expectAllLostOnce();
    CHECK_EQ(lb.ledger.made, 4);
    t.expect(1);
  }
  CHECK_EQ(openFds(), fdsBefore);
}

// 7a/7b: the application runs app.exec() itself (reactor started with start()); closing the
// window (a) or app.quit() (b) ends exec(), and aboutToQuit shuts the reactor down first.
void s07(bool closeWindow) {
  QGuiApplication app(gArgc, gArgv);
  int fdsBefore = openFds();
  {
    QtReactor r;
    Triggers t;
    t.install(r);
    std::unique_ptr<QWindow> w(showWindow());
    Loopback lb;
    bool startupRan = false;
    r.callWhenRunning([&] { startupRan = true; });
    r.start();
    CHECK(startupRan);
    CHECK(r.running());
    lb.open(r, 2, [&] {
      r.callLater(30ms, [&] {
        if (closeWindow)
          w->close();
        else
          QCoreApplication::quit();
      });
    });
    // The reactor connected to aboutToQuit first: by the time this slot runs, it is done.
    int afterAtAboutToQuit = -1;
    QObject::connect(&app, &QCoreApplication::aboutToQuit, &app,
                     [&] { afterAtAboutToQuit = t.after; });
    auto start = Clock::now();
    int rc = app.exec();
    CHECK_EQ(rc, 0);
    CHECK(secondsSince(start) < 2.0);
    CHECK_EQ(afterAtAboutToQuit, 1);
    CHECK(!r.running());
    lb.ledger.expectAllLostOnce();
    CHECK_EQ(lb.ledger.made, 4);
    t.expect(1);
  }
  CHECK_EQ(openFds(), fdsBefore);
}

// 8a/8b: app.exec() drives and reactor.stop() is called. QuitApplication (default): exec()
// returns. DetachOnly: the application keeps running without the reactor.
void s08(bool detachOnly) {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  if (detachOnly) r.setStopPolicy(QtReactor::StopPolicy::DetachOnly);
  Triggers t;
  t.install(r);
  Loopback lb;
  r.start();
  lb.open(r, 1, [&] { r.stop(); });
  bool appAliveAfterStop = false;
  if (detachOnly) {
    // Only the application's own timer can end exec() now.
    auto* probe = new QTimer(&app);
    QObject::connect(probe, &QTimer::timeout, &app, [&] {
      if (!r.running()) {
        appAliveAfterStop = true;
        QCoreApplication::quit();
      }
    });
    probe->start(50);
  }
  auto start = Clock::now();
  CHECK_EQ(app.exec(), 0);
  CHECK(secondsSince(start) < 2.0);
  CHECK(!r.running());
  CHECK_EQ(appAliveAfterStop, detachOnly);
  lb.ledger.expectAllLostOnce();
  t.expect(1);  // not fired again by aboutToQuit
  // The reactor can be started again in the same application.
  r.callLater(10ms, [&] { r.stop(); });
  r.start();
  if (detachOnly) QTimer::singleShot(100, &app, [] { QCoreApplication::quit(); });
  CHECK_EQ(app.exec(), 0);
  t.expect(2);
}

// 9a/9b: reactor.run() drives and QCoreApplication::quit() (a) or exit() (b) is called: run()
// returns after a full shutdown, and no stale quitNow: a second run() works.
void s09(bool useExit) {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  Loopback lb;
  lb.open(r, 2, [&] {
    r.callLater(10ms, [&] {
      if (useExit)
        QCoreApplication::exit(0);
      else
        QCoreApplication::quit();
    });
  });
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 2.0);
  CHECK(!r.running());
  lb.ledger.expectAllLostOnce();
  t.expect(1);
  int fired = 0;
  r.callLater(50ms, [&] {
    ++fired;
    r.stop();
  });
  start = Clock::now();
  r.run();
  CHECK_EQ(fired, 1);
  CHECK(secondsSince(start) >= 0.05);
  t.expect(2);
  // A private QEventLoop still works too (no quitNow left behind).
  QEventLoop loop;
  QTimer::singleShot(10, &loop, [&] { loop.exit(7); });
  CHECK_EQ(loop.exec(), 7);
}

// 10: run -> stop -> run: the second run processes timers and I/O.
void s10() {
  QtReactor r;
  Triggers t;
  t.install(r);
  for (int round = 1; round <= 3; ++round) {
    Loopback lb;
    std::string echoed;
    lb.server.onData = [](Tracked& p, std::string_view d) { p.transport->write(d); };
    lb.client.onMade = [](Tracked& p) { p.transport->write("ping"); };
    lb.client.onData = [&](Tracked&, std::string_view d) {
      echoed += d;
      if (echoed == "ping") r.callLater(5ms, [&] { r.stop(); });
    };
    lb.open(r, 1, nullptr);
    r.run();
    CHECK(echoed == "ping");
    lb.ledger.expectAllLostOnce();
    CHECK_EQ(lb.ledger.made, 2);
    t.expect(round);
  }
}

// 11a/11b: SIGINT during run(), SIGTERM during app.exec(): deterministic exit, triggers run.
void s11(bool detached) {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  r.installSignalHandlers();
  Loopback lb;
  int sig = detached ? SIGTERM : SIGINT;
  std::thread killer;
  lb.open(r, 2, [&] {
    killer = std::thread([sig] {
      std::this_thread::sleep_for(30ms);
      ::kill(::getpid(), sig);
    });
  });
  auto start = Clock::now();
  if (detached) {
    r.start();
    CHECK_EQ(app.exec(), 0);
  } else {
    r.run();
  }
  killer.join();
  CHECK(secondsSince(start) < 2.0);
  CHECK_EQ(r.exitSignal(), sig);
  lb.ledger.expectAllLostOnce();
  t.expect(1);
  r.uninstallSignalHandlers();
  std::printf("stopped by signal %d\n", r.exitSignal());
}

// 12a/12b/12c: reactor destroyed before the application; after it; reactor-owned application
// shared by overlapping reactors. Connections and a listening port are open at destruction.
void s12(char variant) {
  if (variant == 'c') {
    auto a = std::make_unique<QtReactor>();
    CHECK(QCoreApplication::instance() != nullptr);
    auto b = std::make_unique<QtReactor>();
    a->callLater(5ms, [&] { a->stop(); });
    a->run();
    a.reset();  // b still uses the application a created
    CHECK(QCoreApplication::instance() != nullptr);
    b->callLater(5ms, [&] { b->stop(); });
    b->run();
    b.reset();
    CHECK(QCoreApplication::instance() == nullptr);
    return;
  }
  auto app = std::make_unique<QCoreApplication>(gArgc, gArgv);
  auto r = std::make_unique<QtReactor>();
  Triggers t;
  t.install(*r);
  Loopback lb;
  lb.open(*r, 2, [&] { r->crash(); });  // leave the loop with everything still open
  r->run();
  t.expect(0);
  lb.port.reset();  // a port must not outlive its reactor (core's TcpPort unwatches on destruction)
  if (variant == 'a') {
    r.reset();  // closes the connections (no callbacks) while Qt still exists
    app.reset();
  } else {
    app.reset();
    r.reset();  // notifiers and timers outlive the application: must stay silent
  }
  // main() checks that every fd is gone.
}

// 13a/13b: stop() from inside a read callback and from a delayed call.
void s13(bool fromRead) {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  Loopback lb;
  int reads = 0;
  lb.server.onData = [&](Tracked& p, std::string_view) {
    ++reads;
    if (fromRead) {
      r.stop();
      p.transport->write("after stop");  // still flushed during the drain
    }
  };
  lb.client.onMade = [](Tracked& p) { p.transport->write("hello"); };
  lb.open(r, 3, [&] {
    if (!fromRead) r.callLater(10ms, [&] { r.stop(); });
  });
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 2.0);
  if (fromRead) CHECK(reads >= 1);
  lb.ledger.expectAllLostOnce();
  CHECK_EQ(lb.ledger.made, 6);
  t.expect(1);
}

// 14: interest dropped and re-added on the same fd within one callback; an fd closed and a new
// one with the same number watched in the same tick; an fd closed before it is unwatched.
void s14() {
  QCoreApplication app(gArgc, gArgv);
  int fdsBefore = openFds();
  {
    QtReactor r;
    Triggers t;
    t.install(r);
    struct Pipe : FdHandler {
      int rd = -1, wr = -1;
      int fired = 0;
      std::function<void()> onFire;
      void open() {
        int p[2];
        if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) std::abort();
        rd = p[0];
        wr = p[1];
      }
      void closeBoth() {
        ::close(rd);
        ::close(wr);
      }
      void onReady(unsigned) override {
        ++fired;
        char b[16];
        while (::read(rd, b, sizeof b) > 0) {
        }
        if (onFire) onFire();
      }
    };
    Pipe a, b;
    a.open();
    CHECK(r.watch(a.rd, a, kReadable));
    int oldFd = a.rd;
    a.onFire = [&] {
      // Toggle interest off and on in one callback: the notifier is reused, not re-created.
      r.setInterest(a.rd, kNone);
      r.setInterest(a.rd, kReadable);
      r.setInterest(a.rd, kReadable | kWritable);
      r.setInterest(a.rd, kReadable);
      // Close while registered, then unwatch (same tick); reopen and reuse the same number.
      a.closeBoth();
      r.unwatch(oldFd);
      b.open();
      CHECK_EQ(b.rd, oldFd);
      CHECK(r.watch(b.rd, b, kReadable));
      [[maybe_unused]] auto n = ::write(b.wr, "y", 1);
    };
    b.onFire = [&] {
      r.unwatch(b.rd);
      b.closeBoth();
      r.stop();
    };
    r.callWhenRunning([&] { [[maybe_unused]] auto n = ::write(a.wr, "x", 1); });
    // Same with connections: pause/resume in one tick, and a connection closed while a new
    // one is accepted (fd numbers are reused).
    Loopback lb;
    lb.server.onData = [](Tracked& p, std::string_view) {
      p.transport->pauseProducing();
      p.transport->resumeProducing();
      p.transport->loseConnection();
    };
    lb.client.onMade = [](Tracked& p) { p.transport->write("z"); };
    lb.open(r, 4, nullptr);
    r.run();
    CHECK_EQ(a.fired, 1);
    CHECK_EQ(b.fired, 1);
    lb.ledger.expectAllLostOnce();
    t.expect(1);
  }
  CHECK_EQ(openFds(), fdsBefore);
}

// 15: callLater never fires early by the monotonic clock.
void s15() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  const double delays[] = {0.1, 0.1, 0.0005, 0.001, 0.0155, 0.05, 0.0999, 0.1001};
  int pending = 0;
  double worstEarly = 0;
  for (double d : delays) {
    ++pending;
    auto at = Clock::now();
    r.callLater(Duration(d), [&, at, d] {
      double took = secondsSince(at);
      if (took < d) worstEarly = std::max(worstEarly, d - took);
      if (--pending == 0) r.stop();
    });
  }
  // Also one scheduled from inside the loop.
  r.callWhenRunning([&] {
    ++pending;
    auto at = Clock::now();
    r.callLater(100ms, [&, at] {
      double took = secondsSince(at);
      if (took < 0.1) worstEarly = std::max(worstEarly, 0.1 - took);
      if (--pending == 0) r.stop();
    });
  });
  r.run();
  CHECK_EQ(worstEarly, 0.0);
  t.expect(1);
}

// 16: the thread pool is busy at stop: run() returns once the jobs finished, threads joined.
void s16() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  r.suggestThreadPoolSize(4);
  std::atomic<int> done{0};
  int doneAtAfter = -1;  // "after" triggers run once the pool is joined
  r.addSystemEventTrigger(Phase::After, SystemEvent::Shutdown, [&] { doneAtAfter = done; });
  r.callWhenRunning([&] {
    for (int i = 0; i < 4; ++i)
      r.callInThread([&] {
        std::this_thread::sleep_for(200ms);
        r.callFromThread([] {});  // a wake-up racing with the shutdown
        ++done;
      });
    r.callLater(20ms, [&] { r.stop(); });
  });
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 2.0);
  CHECK_EQ(doneAtAfter, 4);
  t.expect(1);
}

// 17a: a nested event loop (as a modal dialog runs) opened inside a weft read callback, and
// stop() requested while it is open. Defined behaviour: core is never re-entered (no
// processEvents recursion, ghtdak#7): while the callback is on the stack, Qt keeps running
// (its timers fire) but weft's I/O, timers and shutdown wait; the shutdown runs as soon as the
// dialog closes and the callback returns.
void s17a() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  Loopback lb;
  int depth = 0, maxDepth = 0, reads = 0, qtTicks = 0, weftTimerInside = 0;
  bool nestedReturned = false, insideNested = false, shutdownInsideNested = false;
  r.addSystemEventTrigger(Phase::After, SystemEvent::Shutdown,
                          [&] { shutdownInsideNested = insideNested; });
  lb.server.onData = [&](Tracked&, std::string_view) {
    ++reads;
    maxDepth = std::max(maxDepth, ++depth);
    if (reads == 1) {
      QEventLoop dialog;
      QTimer ticker;  // the GUI keeps running
      QObject::connect(&ticker, &QTimer::timeout, &dialog, [&] { ++qtTicks; });
      ticker.start(5);
      r.callLater(1ms, [&] { weftTimerInside += insideNested; });
      QTimer::singleShot(30, &dialog, [&] { r.stop(); });         // e.g. a "Quit" button in it
      QTimer::singleShot(120, &dialog, [&] { dialog.exit(0); });  // the user closes it
      insideNested = true;
      dialog.exec();
      insideNested = false;
      nestedReturned = true;
    }
    --depth;
  };
  lb.client.onMade = [&](Tracked& p) {
    p.transport->write("a");
    // More data arrives on the same fd while the dialog is open.
    QTimer::singleShot(10, &app, [&p] { p.transport->write("b"); });
  };
  lb.open(r, 1, nullptr);
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 2.0);
  CHECK(nestedReturned);
  CHECK(!shutdownInsideNested);
  CHECK_EQ(weftTimerInside, 0);
  CHECK(qtTicks >= 5);
  CHECK_EQ(maxDepth, 1);
  lb.ledger.expectAllLostOnce();
  t.expect(1);
}

// 17b: a nested event loop opened from a plain Qt slot (not a weft callback) is open when stop
// is requested: weft keeps running inside it, the shutdown completes there, and run() (which
// runs app.exec()) ends with quit(), which ends the nested loop too.
void s17b() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  Loopback lb;
  bool insideNested = false, shutdownInsideNested = false, nestedReturned = false;
  int echoes = 0;
  r.addSystemEventTrigger(Phase::After, SystemEvent::Shutdown,
                          [&] { shutdownInsideNested = insideNested; });
  lb.server.onData = [](Tracked& p, std::string_view d) { p.transport->write(d); };
  lb.client.onData = [&](Tracked&, std::string_view) { ++echoes; };
  lb.open(r, 2, [&] {
    QTimer::singleShot(10, &app, [&] {
      QEventLoop dialog;
      // I/O and weft timers work inside the dialog; then stop from a weft timer.
      r.callLater(20ms, [&] { r.stop(); });
      insideNested = true;
      dialog.exec();
      insideNested = false;
      nestedReturned = true;
    });
  });
  lb.client.onMade = [&](Tracked& p) { r.callLater(15ms, [&p] { p.transport->write("ping"); }); };
  auto start = Clock::now();
  r.run();
  CHECK(secondsSince(start) < 2.0);
  CHECK(nestedReturned);
  CHECK(shutdownInsideNested);
  CHECK(echoes >= 1);
  lb.ledger.expectAllLostOnce();
  t.expect(1);
}

// Beyond the 17 of docs/qt-shutdown.md: the application discards posted events
// (QCoreApplication::removePostedEvents) while a wake-up from another thread's callFromThread
// is pending. The call must still run, and stop() from that thread must still
// end the loop. A plain Qt slot blocks the loop thread meanwhile, so the event cannot be
// delivered before it is removed, and no weft timer is pending that would tick core anyway.
void sDroppedWake() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  std::atomic<bool> ran{false};
  std::thread other;
  r.callWhenRunning([&] {
    QTimer::singleShot(0, &app, [&] {
      std::thread poster([&] { r.callFromThread([&] { ran = true; }); });
      poster.join();
      // Every event pending for this thread's objects, our wake-up too (Qt looks at the
      // calling thread's queue when no receiver is given).
      QCoreApplication::removePostedEvents(nullptr, 0);
      other = std::thread([&] {
        for (int i = 0; i < 500 && !ran; ++i) std::this_thread::sleep_for(10ms);
        r.stop();  // a second wake-up, which must not be skipped either
      });
    });
  });
  auto start = Clock::now();
  r.run();
  if (other.joinable()) other.join();
  CHECK(ran);
  CHECK(secondsSince(start) < 2.0);
  CHECK_EQ(r.droppedWakeUps(), 1);
  t.expect(1);
}

// The other side of dropped-wake: a wake-up requested while one is already pending is folded
// into it, which is neither a dropped wake-up nor a lost one. Another thread calls
// callFromThread and then stop() while a plain Qt slot blocks the loop thread, so the second
// wake-up finds the first still queued.
void sCoalescedWake() {
  QCoreApplication app(gArgc, gArgv);
  QtReactor r;
  Triggers t;
  t.install(r);
  std::atomic<bool> ran{false};
  r.callWhenRunning([&] {
    QTimer::singleShot(0, &app, [&] {
      std::thread other([&] {
        r.callFromThread([&] { ran = true; });
        r.stop();
      });
      other.join();
    });
  });
  auto start = Clock::now();
  r.run();
  CHECK(ran);
  CHECK(secondsSince(start) < 2.0);
  CHECK_EQ(r.droppedWakeUps(), 0);
  t.expect(1);
}

const std::map<std::string, std::function<void()>>& scenarios() {
  static const std::map<std::string, std::function<void()>> m = {
      {"01", s01},
      {"02", s02},
      {"03", s03},
      {"04", s04},
      {"05", s05},
      {"06", s06},
      {"07a", [] { s07(true); }},
      {"07b", [] { s07(false); }},
      {"08a", [] { s08(false); }},
      {"08b", [] { s08(true); }},
      {"09a", [] { s09(false); }},
      {"09b", [] { s09(true); }},
      {"10", s10},
      {"11a", [] { s11(false); }},
      {"11b", [] { s11(true); }},
      {"12a", [] { s12('a'); }},
      {"12b", [] { s12('b'); }},
      {"12c", [] { s12('c'); }},
      {"13a", [] { s13(true); }},
      {"13b", [] { s13(false); }},
      {"14", s14},
      {"15", s15},
      {"16", s16},
      {"17a", s17a},
      {"17b", s17b},
      {"coalesced-wake", sCoalescedWake},
      {"dropped-wake", sDroppedWake},
  };
  return m;
}

}  // namespace
}  // namespace weft::qtscenario

int main(int argc, char** argv) {
  using namespace weft::qtscenario;
  std::setvbuf(stdout, nullptr, _IONBF, 0);  // a watchdog kill must not lose output
  if (argc < 2 || std::string(argv[1]) == "--list") {
    for (auto& [name, _] : scenarios()) std::printf("%s\n", name.c_str());
    return argc < 2 ? 2 : 0;
  }
  auto it = scenarios().find(argv[1]);
  if (it == scenarios().end()) {
    std::printf("unknown scenario %s\n", argv[1]);
    return 2;
  }
  double deadline = argc > 2 ? std::atof(argv[2]) : 10.0;
  // The dispatcher this run must be under (ctest runs each scenario under both): "glib" or
  // "unix". Qt picks it from QT_NO_GLIB; a run under the other one would pass unnoticed.
  const std::string expectedDispatcher = argc > 3 ? argv[3] : "";
  ::signal(SIGPIPE, SIG_IGN);
  // The glib dispatcher keeps one process-wide fd (the default main context's wake-up) once
  // any QCoreApplication existed: warm it up so the leak check counts only our fds.
  std::string dispatcher;
  {
    QCoreApplication warm(gArgc, gArgv);
    dispatcher = QAbstractEventDispatcher::instance()->metaObject()->className();
  }
  if (!expectedDispatcher.empty()) {
    const bool isGlib = dispatcher.find("Glib") != std::string::npos;
    if (isGlib != (expectedDispatcher == "glib")) {
      std::printf("FAIL: expected the %s dispatcher, got %s\n", expectedDispatcher.c_str(),
                  dispatcher.c_str());
      ++gFailures;
    }
  }
  int fdsBefore = openFds();
  std::thread([deadline] {
    std::this_thread::sleep_for(std::chrono::duration<double>(deadline));
    std::printf("FAIL: deadline of %.1f s passed\n", deadline);
    std::fflush(stdout);
    ::_exit(124);
  }).detach();
  auto start = weft::Clock::now();
  it->second();
  CHECK_EQ(openFds(), fdsBefore);
  std::printf("scenario %s: %.3f s, dispatcher %s\n", argv[1], secondsSince(start),
              dispatcher.c_str());
  if (gFailures) {
    std::printf("SCENARIO FAIL (%d)\n", gFailures);
    return 1;
  }
  std::printf("SCENARIO PASS\n");
  return 0;
}
