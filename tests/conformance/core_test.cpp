// Reactor core: run/stop/crash/iterate, system-event triggers, callWhenRunning, the registry.
#include <csignal>
#include <thread>

#ifdef _WIN32
#include <windows.h>
#endif

#include "reactor_fixture.hpp"

namespace weft::test {
namespace {

class CoreTest : public ReactorTest {};

TEST(Registry, UnknownReactorIsAClearError) {
  try {
    makeReactor("no-such-reactor");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
    // The message names what is available here; the platform default always is.
    EXPECT_NE(std::string(e.what()).find(defaultReactorName()), std::string::npos) << e.what();
  }
}

TEST(Registry, TableListsEveryKnownBackend) {
  std::vector<std::string> names;
  for (const auto& r : reactorTable()) {
    names.push_back(r.name);
    EXPECT_EQ(r.available, r.whyUnavailable.empty()) << r.name;
    EXPECT_FALSE(r.description.empty()) << r.name;
  }
  for (const char* n : {"select", "poll", "epoll", "kqueue", "libevent", "asio", "qt"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_EQ(makeReactor("default")->name(), defaultReactorName());
}

TEST_P(CoreTest, NameMatchesRegistry) {
  EXPECT_EQ(reactor->name(), GetParam());
}

// Ctrl-C stops the reactor cleanly: SIGINT on POSIX (raised on the loop thread, as a
// terminal would deliver it to a single-threaded server), the console control handler on
// Windows.
TEST_P(CoreTest, InterruptStopsTheReactorThroughItsSignalHandlers) {
  reactor->installSignalHandlers();
  bool shutdownRan = false, delivered = true;
  reactor->addSystemEventTrigger(Phase::During, SystemEvent::Shutdown, [&] { shutdownRan = true; });
  reactor->callLater(Duration(0.01), [&] {
#ifdef _WIN32
    // Needs a console; Wine without one refuses (ERROR_INVALID_ACCESS).
    delivered = ::GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0) != 0;
    if (!delivered) stopQuietly();
#else
    std::raise(SIGINT);
#endif
  });
  runReactor(Duration(10));
  reactor->uninstallSignalHandlers();
  if (!delivered) GTEST_SKIP() << "no console to send Ctrl-C to";
  EXPECT_TRUE(shutdownRan);
  EXPECT_EQ(reactor->exitSignal(), SIGINT);
}

TEST_P(CoreTest, StopFromCallWhenRunningReturnsPromptly) {
  bool ran = false;
  reactor->callWhenRunning([&] {
    ran = true;
    EXPECT_TRUE(reactor->running());
    reactor->stop();
  });
  EXPECT_TRUE(runReactor(Duration(5)));
  EXPECT_TRUE(ran);
  EXPECT_FALSE(reactor->running());
}

TEST_P(CoreTest, StopWhenNotRunningThrowsNotRunning) {
  try {
    reactor->stop();
    FAIL() << "stop() before run() must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotRunning);
  }
}

TEST_P(CoreTest, SecondStopThrowsAndTriggersRunOnce) {
  int before = 0, during = 0, after = 0;
  reactor->addSystemEventTrigger(Phase::Before, SystemEvent::Shutdown, [&] { ++before; });
  reactor->addSystemEventTrigger(Phase::During, SystemEvent::Shutdown, [&] { ++during; });
  reactor->addSystemEventTrigger(Phase::After, SystemEvent::Shutdown, [&] { ++after; });
  reactor->callWhenRunning([&] {
    reactor->stop();
    EXPECT_THROW(reactor->stop(), Error);
  });
  runReactor();
  EXPECT_EQ(before, 1);
  EXPECT_EQ(during, 1);
  EXPECT_EQ(after, 1);
}

TEST_P(CoreTest, ShutdownTriggersFireAsynchronouslyInPhaseOrder) {
  std::vector<std::string> events;
  reactor->addSystemEventTrigger(Phase::After, SystemEvent::Shutdown,
                                 [&] { events.push_back("after"); });
  reactor->addSystemEventTrigger(Phase::Before, SystemEvent::Shutdown,
                                 [&] { events.push_back("before"); });
  reactor->addSystemEventTrigger(Phase::During, SystemEvent::Shutdown,
                                 [&] { events.push_back("during"); });
  reactor->callWhenRunning([&] {
    reactor->stop();
    events.push_back("stopped");
  });
  runReactor();
  EXPECT_EQ(events, (std::vector<std::string>{"stopped", "before", "during", "after"}));
}

TEST_P(CoreTest, StartupTriggersAndCallWhenRunningOrder) {
  std::vector<std::string> events;
  reactor->addSystemEventTrigger(Phase::Before, SystemEvent::Startup, [&] {
    events.push_back(reactor->running() ? "before:running" : "before:not-running");
  });
  reactor->callWhenRunning([&] { events.push_back("cwr1"); });
  reactor->callWhenRunning([&] { events.push_back("cwr2"); });
  reactor->callWhenRunning([&] { reactor->stop(); });
  runReactor();
  EXPECT_EQ(events, (std::vector<std::string>{"before:not-running", "cwr1", "cwr2"}));
}

TEST_P(CoreTest, RemovedTriggerDoesNotFire) {
  int fired = 0;
  auto id = reactor->addSystemEventTrigger(Phase::Before, SystemEvent::Shutdown, [&] { ++fired; });
  reactor->removeSystemEventTrigger(id);
  reactor->callWhenRunning([&] { reactor->stop(); });
  runReactor();
  EXPECT_EQ(fired, 0);
}

TEST_P(CoreTest, RunAgainAfterStopAndAfterCrash) {
  int runs = 0;
  reactor->callWhenRunning([&] {
    ++runs;
    reactor->stop();
  });
  runReactor();
  reactor->callWhenRunning([&] {
    ++runs;
    reactor->crash();
  });
  reactor->run();  // crash() leaves run() without shutdown triggers
  EXPECT_FALSE(reactor->running());
  reactor->callWhenRunning([&] {
    ++runs;
    reactor->stop();
  });
  runReactor();
  EXPECT_EQ(runs, 3);
}

TEST_P(CoreTest, RunWhileRunningThrows) {
  reactor->callWhenRunning([&] {
    try {
      reactor->run();
      ADD_FAILURE() << "nested run() must throw";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::AlreadyRunning);
    }
    reactor->stop();
  });
  runReactor();
}

TEST_P(CoreTest, IterateDoesNotBlockAndRunsDueCalls) {
  int n = 0;
  reactor->callLater(Duration(0), [&] { ++n; });
  auto start = Clock::now();
  reactor->iterate(Duration(0));
  EXPECT_EQ(n, 1);
  // Bounded, not timed: iterate(0) must not wait for the 30 s timer below.
  reactor->callLater(Duration(30), [&] { ++n; });
  reactor->iterate(Duration(0));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(n, 1);
}

TEST_P(CoreTest, StopFromAnotherThreadWakesTheLoop) {
  std::thread t;
  reactor->callWhenRunning([&] {
    t = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      reactor->stop();
    });
  });
  // Nothing else is scheduled: only the wake-up can end the wait.
  EXPECT_TRUE(runReactor(Duration(10)));
  t.join();
}

TEST_P(CoreTest, StopFromInsideATimer) {
  reactor->callLater(Duration(0.01), [&] { reactor->stop(); });
  EXPECT_TRUE(runReactor(Duration(10)));
}

TEST_P(CoreTest, ExceptionInCallbackDoesNotKillTheReactor) {
  int after = 0;
  reactor->callLater(Duration(0), [] { throw std::runtime_error("boom"); });
  reactor->callLater(Duration(0.001), [&] {
    ++after;
    reactor->stop();
  });
  runReactor();
  EXPECT_EQ(after, 1);
}

TEST_P(CoreTest, IterateFromInsideACallbackIsRefused) {
  reactor->callLater(Duration(0), [&] {
    try {
      reactor->iterate(Duration(0));
      ADD_FAILURE() << "nested iterate() must throw";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::AlreadyRunning);
    }
    reactor->stop();
  });
  runReactor();
}

TEST_P(CoreTest, PortsAndConnectorsMayOutliveTheirReactor) {
  struct Nothing : Protocol {};
  ProtocolFactory<Nothing, ClientFactory> factory;
  auto port = reactor->listenTCP(0, factory);
  auto connector = reactor->connectTCP("localhost", port->getHost().port(), factory);
  reactor.reset();  // the application still holds both
  EXPECT_FALSE(port->listening());
  EXPECT_EQ(connector->state(), Connector::State::Disconnected);
  port.reset();
  connector.reset();  // must not touch the destroyed reactor
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(CoreTest);

}  // namespace
}  // namespace weft::test
