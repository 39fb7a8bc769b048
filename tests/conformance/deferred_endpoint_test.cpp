// Deferreds and endpoints on every reactor: delivery on the reactor thread from another thread,
// deferLater, addTimeout, LoopingCall, deferToThread, endpoint listen/connect, a refused
// connect's named reason, and a cancelled connect that leaves no fd behind.
#include <atomic>
#include <filesystem>
#include <thread>

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"
#include "weft/blocking_call.hpp"
#include "weft/deferred.hpp"
#include "weft/deferred_reactor.hpp"
#include "weft/endpoint_strings.hpp"
#include "weft/endpoints.hpp"
#include "weft/looping_call.hpp"

namespace weft::test {
namespace {

class DeferredEndpointTest : public ReactorTest {
 protected:
  void TearDown() override {
    if (worker.joinable()) worker.join();
    ReactorTest::TearDown();
  }
  std::thread worker;
};

// Open descriptors of this process, or nullopt where /proc is absent (Windows).
std::optional<size_t> openFdCount() {
  std::error_code ec;
  if (!std::filesystem::exists("/proc/self/fd", ec)) return std::nullopt;
  size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

// A port nothing listens on: listen on an ephemeral port, then close it.
uint16_t closedPort(Reactor& reactor) {
  ScriptedFactory f;
  auto port = reactor.listenTCP(0, f, 5, "127.0.0.1");
  uint16_t n = port->getHost().port();
  port->stopListening();
  return n;
}

TEST_P(DeferredEndpointTest, ADeferredFiredThroughCallFromThreadDeliversOnTheReactorThread) {
  Deferred<int> d;
  int got = 0;
  bool onReactorThread = false;
  d.addCallback([&](int v) {
    got = v;
    onReactorThread = reactor->isInIOThread();
    stopQuietly();
  });
  reactor->callWhenRunning([&] {
    worker = std::thread([&, d]() mutable {
      reactor->callFromThread([d = std::move(d)]() mutable { d.callback(7); });
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(got, 7);
  EXPECT_TRUE(onReactorThread);
}

TEST_P(DeferredEndpointTest, AnotherThreadWaitsForAReactorThreadDeferred) {
  int got = 0;
  std::string error;
  std::atomic<bool> ranOnLoop{true};
  reactor->callWhenRunning([&] {
    worker = std::thread([&] {
      got = blockingCallFromThread(*reactor, [&] {
        if (!reactor->isInIOThread()) ranOnLoop = false;
        return deferLater(*reactor, Duration(0.005), [] { return 6; });
      });
      try {
        blockingCallFromThread(*reactor, []() -> int { throw std::out_of_range("on the loop"); });
      } catch (const std::out_of_range& e) {
        error = e.what();
      }
      reactor->callFromThread([&] { stopQuietly(); });
    });
  });
  EXPECT_TRUE(runReactor());
  worker.join();
  EXPECT_EQ(got, 6);
  EXPECT_TRUE(ranOnLoop.load());
  EXPECT_EQ(error, "on the loop") << "the Failure's exception reaches the waiting thread";
}

TEST_P(DeferredEndpointTest, DeferLaterFiresWithTheFunctionsResult) {
  std::string got;
  reactor->callWhenRunning([&] {
    deferLater(*reactor, Duration(0.01), [] { return std::string("later"); })
        .addCallback([&](std::string s) {
          got = s;
          stopQuietly();
        });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(got, "later");
}

TEST_P(DeferredEndpointTest, CancellingDeferLaterCancelsTheTimer) {
  bool ran = false, cancelled = false;
  size_t pendingAfter = 99;
  reactor->callWhenRunning([&] {
    size_t before = reactor->pendingDelayedCalls();
    auto d = deferLater(*reactor, Duration(30), [&] { ran = true; });
    d.addErrback([&](const Failure& f) { cancelled = f.check<CancelledError>(); });
    d.cancel();
    pendingAfter = reactor->pendingDelayedCalls() - before;
    stopQuietly();
  });
  EXPECT_TRUE(runReactor());
  EXPECT_FALSE(ran);
  EXPECT_TRUE(cancelled);
  EXPECT_EQ(pendingAfter, 0u) << "the 30 s timer must be cancelled, not left to expire";
}

TEST_P(DeferredEndpointTest, AddTimeoutFailsWithTimedOut) {
  bool timedOut = false;
  Deferred<int> never;
  reactor->callWhenRunning([&] {
    addTimeout(never, Duration(0.02), *reactor).addErrback([&](const Failure& f) {
      timedOut = f.check<TimedOutError>();
      stopQuietly();
      return 0;
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(timedOut);
}

TEST_P(DeferredEndpointTest, AddTimeoutLetsAnEarlyResultThroughAndCancelsItsTimer) {
  int got = 0;
  size_t pendingAfter = 99;
  reactor->callWhenRunning([&] {
    size_t before = reactor->pendingDelayedCalls();  // the fixture's watchdog
    Deferred<int> d;
    addTimeout(d, Duration(30), *reactor).addCallback([&, before](int v) {
      got = v;
      pendingAfter = reactor->pendingDelayedCalls() - before;
      stopQuietly();
    });
    reactor->callLater(Duration(0), [d]() mutable { d.callback(5); });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(got, 5);
  EXPECT_EQ(pendingAfter, 0u) << "the timeout's timer must go when the result arrives";
}

TEST_P(DeferredEndpointTest, LoopingCallStopFiresItsDeferred) {
  int calls = 0;
  LoopingCall counting(*reactor, [&] {
    if (++calls == 3) counting.stop();
  });
  bool stopped = false;
  reactor->callWhenRunning([&] {
    counting.start(Duration(0.001)).addCallback([&] {
      stopped = true;
      stopQuietly();
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(stopped);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(counting.callCount(), 3u);
  EXPECT_FALSE(counting.running());
}

TEST_P(DeferredEndpointTest, LoopingCallWaitsForTheDeferredItsFunctionReturns) {
  int inFlight = 0, maxInFlight = 0, calls = 0;
  LoopingCall loop(*reactor, [&]() -> Deferred<void> {
    ++calls;
    maxInFlight = std::max(maxInFlight, ++inFlight);
    // Each call takes 5 intervals to finish: the loop must wait, not overlap.
    return deferLater(*reactor, Duration(0.005), [&] {
      --inFlight;
      if (calls == 3) loop.stop();
    });
  });
  bool stopped = false;
  reactor->callWhenRunning([&] {
    loop.start(Duration(0.001)).addCallback([&] {
      stopped = true;
      stopQuietly();
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(stopped);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(maxInFlight, 1);
}

TEST_P(DeferredEndpointTest, LoopingCallSkipsLateIntervalsAndCountsThem) {
  std::vector<uint64_t> counts;
  LoopingCall loop = LoopingCall::withCount(*reactor, [&](uint64_t n) {
    counts.push_back(n);
    // The first call overruns by over three intervals of 10 ms: those rounds are skipped.
    if (counts.size() == 1) std::this_thread::sleep_for(std::chrono::milliseconds(35));
    if (counts.size() == 2) loop.stop();
  });
  reactor->callWhenRunning([&] { loop.start(Duration(0.01)).addCallback([&] { stopQuietly(); }); });
  EXPECT_TRUE(runReactor());
  ASSERT_EQ(counts.size(), 2u) << "late rounds are skipped, not replayed one call each";
  EXPECT_EQ(counts[0], 1u);
  EXPECT_GE(counts[1], 4u) << "35 ms of a 10 ms interval: the call at round 4 or later";
  EXPECT_EQ(loop.skippedIntervals(), counts[1] - 1);
}

TEST_P(DeferredEndpointTest, LoopingCallFailureStopsItAndFailsItsDeferred) {
  int calls = 0;
  std::string message;
  LoopingCall loop(*reactor, [&] {
    if (++calls == 2) throw std::runtime_error("loop body failed");
  });
  reactor->callWhenRunning([&] {
    loop.start(Duration(0.001)).addErrback([&](const Failure& f) {
      message = f.message();
      stopQuietly();
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(message, "loop body failed");
  EXPECT_FALSE(loop.running());
}

TEST_P(DeferredEndpointTest, DeferToThreadRunsOnThePoolAndDeliversOnTheReactorThread) {
  std::atomic<bool> ranOffLoop{false};
  bool deliveredOnLoop = false;
  int got = 0;
  std::string error;
  reactor->callWhenRunning([&] {
    deferToThread(*reactor, [&] {
      ranOffLoop = !reactor->isInIOThread();
      return 41;
    }).addCallback([&](int v) {
      got = v + 1;
      deliveredOnLoop = reactor->isInIOThread();
      return deferToThread(*reactor, []() -> int { throw std::invalid_argument("in the pool"); });
    }).addErrback([&](const Failure& f) {
      error = f.typeName() + ": " + f.message();
      stopQuietly();
      return 0;
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(ranOffLoop.load());
  EXPECT_TRUE(deliveredOnLoop);
  EXPECT_EQ(got, 42);
  EXPECT_EQ(error, "std::invalid_argument: in the pool");
}

TEST_P(DeferredEndpointTest, EndpointsListenAndConnectFromDescriptions) {
  ScriptedFactory server, client;
  server.configure = echo;
  client.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      if (self.log().received == "ping") self.transport->loseConnection();
    };
  };
  bool madeBeforeFired = false;
  std::shared_ptr<ListeningPort> port;
  reactor->callWhenRunning([&] {
    serverFromString(*reactor, "tcp:0:interface=127.0.0.1")
        ->listen(server)
        .addCallback([&](std::shared_ptr<ListeningPort> p) {
          port = p;
          auto ep = clientFromString(
              *reactor, "tcp:host=127.0.0.1:port=" + std::to_string(p->getHost().port()));
          return ep->connect(client);
        })
        .addCallback([&](Protocol* p) {
          auto* sp = dynamic_cast<ScriptedProtocol*>(p);
          madeBeforeFired = sp && sp->log().made == 1 && p->transport != nullptr;
          if (p->transport) p->transport->write("ping");
        });
    stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(madeBeforeFired) << "connect() fires with the protocol, after connectionMade";
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_EQ(client.logs[0]->received, "ping");
}

TEST_P(DeferredEndpointTest, AListenThatCannotBindFailsNamingTheReason) {
  ScriptedFactory server;
  std::optional<ErrorKind> kind;
  TCPServerEndpoint ep(*reactor, 0, 50, "203.0.113.1");  // TEST-NET-3: not ours to bind
  ep.listen(server).addErrback([&](const Failure& f) {
    try {
      f.rethrow();
    } catch (const Error& e) {
      kind = e.kind();
    }
    return std::shared_ptr<ListeningPort>();
  });
  EXPECT_EQ(kind, ErrorKind::CannotListen);
}

TEST_P(DeferredEndpointTest, ARefusedConnectErrbacksWithTheNamedReason) {
  ScriptedFactory client;
  std::optional<ErrorKind> kind;
  std::string message;
  uint16_t port = closedPort(*reactor);
  reactor->callWhenRunning([&] {
    TCPClientEndpoint(*reactor, "127.0.0.1", port).connect(client).addErrback([&](const Failure& f) {
      try {
        f.rethrow();
      } catch (const Error& e) {
        kind = e.kind();
        message = e.what();
      }
      stopQuietly();
      return static_cast<Protocol*>(nullptr);
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(kind, ErrorKind::ConnectionRefused) << message;
  EXPECT_NE(message.find("ConnectionRefused"), std::string::npos) << message;
  EXPECT_TRUE(client.logs.empty());
}

TEST_P(DeferredEndpointTest, ACancelledConnectLeavesNoFdBehind) {
  // A listener that never accepts: the attempt stays ours (nothing on the server side).
  int listener = rawSocket(AF_INET);
  ASSERT_GE(listener, 0);
  Address where = loopback(0);
  ASSERT_EQ(::bind(rawFd(listener), where.sockaddrPtr(), where.sockaddrLen()), 0);
  ASSERT_EQ(::listen(rawFd(listener), 8), 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(rawFd(listener), reinterpret_cast<sockaddr*>(&ss), &len);
  uint16_t port = Address::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len).port();

  ScriptedFactory client;
  bool cancelled = false;
  std::optional<size_t> before, after;
  reactor->callWhenRunning([&] {
    before = openFdCount();
    auto d = TCPClientEndpoint(*reactor, "127.0.0.1", port).connect(client);
    d.addErrback([&](const Failure& f) {
      cancelled = f.check<CancelledError>();
      return static_cast<Protocol*>(nullptr);
    });
    d.cancel();
    // Give a connect that was not really stopped the time to complete.
    reactor->callLater(Duration(0.05), [&] {
      after = openFdCount();
      stopQuietly();
    });
  });
  EXPECT_TRUE(runReactor());
  rawClose(listener);
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(client.logs.empty()) << "a cancelled connect must not build a protocol";
  if (!before) GTEST_SKIP() << "no /proc/self/fd here: open descriptors cannot be counted";
  EXPECT_EQ(after, before) << "the cancelled attempt's socket must be closed";
}

TEST_P(DeferredEndpointTest, HostnameEndpointTriesEveryResolvedAddress) {
  ScriptedFactory server, client;
  auto port = reactor->listenTCP(0, server, 50, "127.0.0.1");
  uint16_t refused = closedPort(*reactor);
  std::atomic<bool> resolvedOffLoop{false};
  auto resolver = [&, good = port->getHost().port()](const std::string&, uint16_t) {
    resolvedOffLoop = !reactor->isInIOThread();
    return std::vector<Address>{loopback(refused), loopback(good)};
  };
  bool connected = false;
  reactor->callWhenRunning([&] {
    HostnameEndpoint(*reactor, "two.example", 0, Duration(10), resolver)
        .connect(client)
        .addCallback([&](Protocol* p) {
          connected = p != nullptr;
          p->transport->loseConnection();
        });
    stopWhen([&] { return server.totalLost() == 1; });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(connected) << "the second address must be tried after the first was refused";
  EXPECT_TRUE(resolvedOffLoop.load()) << "name resolution blocks: it runs on the pool";
  EXPECT_EQ(server.logs.size(), 1u);
}

TEST_P(DeferredEndpointTest, HostnameEndpointFailsWithTheLastErrorWhenNoneConnects) {
  ScriptedFactory client;
  uint16_t refused = closedPort(*reactor);
  std::optional<ErrorKind> kind;
  reactor->callWhenRunning([&] {
    auto resolver = [&](const std::string&, uint16_t) {
      return std::vector<Address>{loopback(refused), loopback(refused)};
    };
    HostnameEndpoint(*reactor, "none.example", 0, Duration(10), resolver)
        .connect(client)
        .addErrback([&](const Failure& f) {
          try {
            f.rethrow();
          } catch (const Error& e) {
            kind = e.kind();
          }
          stopQuietly();
          return static_cast<Protocol*>(nullptr);
        });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(kind, ErrorKind::ConnectionRefused);
}

TEST_P(DeferredEndpointTest, ConnectProtocolFiresWithThatInstance) {
  ScriptedFactory server;
  auto port = reactor->listenTCP(0, server, 50, "127.0.0.1");
  auto log = std::make_shared<ConnectionLog>();
  auto proto = std::make_unique<ScriptedProtocol>(log);
  ScriptedProtocol* raw = proto.get();
  ScriptedProtocol* got = nullptr;
  TCPClientEndpoint ep(*reactor, "127.0.0.1", port->getHost().port());
  reactor->callWhenRunning([&] {
    connectProtocol(ep, std::move(proto)).addCallback([&](ScriptedProtocol* p) {
      got = p;
      p->transport->loseConnection();
    });
    stopWhen([&] { return log->lost == 1 && server.totalLost() == 1; });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(got, raw);
  EXPECT_EQ(log->made, 1);
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(DeferredEndpointTest);

}  // namespace
}  // namespace weft::test
