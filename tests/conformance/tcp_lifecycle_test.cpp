// Connection lifecycle on every reactor: refused, timeout, cancel, DNS, null protocols,
// factory start/stop counting, listen errors, reconnecting, shutdown with live connections.
#include "reactor_fixture.hpp"
#include "resolver_probe.hpp"
#include "tcp_helpers.hpp"
#include "weft/reconnecting_client_factory.hpp"

namespace weft::test {
namespace {

class LifecycleTest : public ReactorTest {
 protected:
  ScriptedFactory server, client;
  // A port that was free a moment ago and has nobody listening now.
  uint16_t closedPort() {
    ScriptedFactory f;
    auto p = reactor->listenTCP(0, f);
    uint16_t port = p->getHost().port();
    p->stopListening();
    return port;
  }
};

TEST_P(LifecycleTest, ConnectionRefused) {
  client.onFailed = [&](const Reason&) { reactor->stop(); };
  reactor->connectTCP("127.0.0.1", closedPort(), client);
  runReactor();
  ASSERT_EQ(client.failures.size(), 1u);
  EXPECT_EQ(client.failures[0].kind, ErrorKind::ConnectionRefused) << client.failures[0].describe();
  EXPECT_EQ(client.starts, 1);
  EXPECT_EQ(client.stops, 1);
}

TEST_P(LifecycleTest, ConnectTimeout) {
  // A listener whose tiny accept queue is full drops further SYNs, so connect() hangs.
  int lfd = rawSocket(AF_INET);
  Address any = loopback(0);
  ASSERT_EQ(::bind(rawFd(lfd), any.sockaddrPtr(), any.sockaddrLen()), 0);
  ASSERT_EQ(::listen(rawFd(lfd), 0), 0);
  socklen_t len = sizeof(sockaddr_in);
  sockaddr_in sin{};
  ::getsockname(rawFd(lfd), reinterpret_cast<sockaddr*>(&sin), &len);
  uint16_t port = ntohs(sin.sin_port);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = rawSocket(AF_INET, true);
    Address to = loopback(port);
    ::connect(rawFd(fd), to.sockaddrPtr(), to.sockaddrLen());
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  client.onFailed = [&](const Reason&) { reactor->stop(); };
  client.onClientLost = [&](const Reason&) { reactor->stop(); };
  reactor->connectTCP("127.0.0.1", port, client, Duration(0.3));
  runReactor();
  for (int fd : fillers) rawClose(fd);
  rawClose(lfd);
  ASSERT_EQ(client.failures.size(), 1u) << "the backlog did not fill; connect succeeded";
  EXPECT_EQ(client.failures[0].kind, ErrorKind::TimedOut) << client.failures[0].describe();
}

TEST_P(LifecycleTest, StopConnectingReportsUserCancelled) {
  std::shared_ptr<Connector> c;
  reactor->callWhenRunning([&] {
    c = reactor->connectTCP("localhost", 9, client);  // resolution is still in flight
    EXPECT_EQ(c->state(), Connector::State::Connecting);
    c->stopConnecting();
    reactor->stop();
  });
  runReactor();
  ASSERT_EQ(client.failures.size(), 1u);
  EXPECT_EQ(client.failures[0].kind, ErrorKind::UserCancelled);
  EXPECT_EQ(c->state(), Connector::State::Disconnected);
}

TEST_P(LifecycleTest, DnsFailureOfInvalidName) {
  client.onFailed = [&](const Reason&) { reactor->stop(); };
  reactor->connectTCP("no-such-host.invalid", 80, client, Duration(10));
  runReactor(Duration(30));
  ASSERT_EQ(client.failures.size(), 1u);
  EXPECT_EQ(client.failures[0].kind, ErrorKind::DnsLookup) << client.failures[0].describe();
}

TEST_P(LifecycleTest, ConnectByHostNameResolvesOffTheLoop) {
  // The name goes to getaddrinfo (the probe answers it with 127.0.0.1), which is held until the
  // loop has run timers three times while the lookup is blocked: a lookup on the loop thread
  // would stop them (and would run on that thread).
  if (!resolver_probe::supported()) GTEST_SKIP() << "getaddrinfo cannot be interposed here";
  server.configure = echo;
  auto port = reactor->listenTCP(0, server);
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& s) { s.transport->write("named"); };
    p.onData = [](ScriptedProtocol& s, std::string_view) { s.transport->loseConnection(); };
  };
  client.onClientLost = [&](const Reason&) { reactor->stop(); };
  client.onFailed = [&](const Reason&) { reactor->stop(); };
  const int lookupsBefore = resolver_probe::lookups();
  int timersWhileBlocked = 0;
  resolver_probe::hold();
  when(
      [&] {
        timersWhileBlocked += resolver_probe::blocked();
        return timersWhileBlocked >= 3;
      },
      [] { resolver_probe::release(); });
  reactor->connectTCP(resolver_probe::kHost, port->getHost().port(), client);
  runReactor();
  resolver_probe::release();
  EXPECT_TRUE(client.failures.empty()) << client.failures.at(0).describe();
  EXPECT_EQ(resolver_probe::lookups(), lookupsBefore + 1);
  EXPECT_NE(resolver_probe::lastThread(), std::this_thread::get_id())
      << "the name was resolved on the loop thread";
  EXPECT_GE(timersWhileBlocked, 3) << "the loop stopped while the name was resolved";
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_EQ(client.logs[0]->received, "named");
}

TEST_P(LifecycleTest, BuildProtocolReturningNullClosesTheConnection) {
  server.refuse = true;
  auto port = reactor->listenTCP(0, server);
  client.onClientLost = [&](const Reason&) { reactor->stop(); };
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor();
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_EQ(client.logs[0]->lost, 1);
  EXPECT_TRUE(client.logs[0]->received.empty());
  EXPECT_TRUE(server.logs.empty());
}

TEST_P(LifecycleTest, FactoryStartAndStopAreCountedAcrossPorts) {
  auto a = reactor->listenTCP(0, server);
  auto b = reactor->listenTCP(0, server);
  EXPECT_EQ(server.starts, 1);
  a->stopListening();
  EXPECT_EQ(server.stops, 0);
  b->stopListening();
  EXPECT_EQ(server.stops, 1);
  EXPECT_FALSE(b->listening());
  b->stopListening();  // idempotent
  EXPECT_EQ(server.stops, 1);
}

TEST_P(LifecycleTest, ListenOnAPortInUseIsCannotListen) {
  auto a = reactor->listenTCP(0, server);
  try {
    reactor->listenTCP(a->getHost().port(), server);
    FAIL() << "second listen on the same port must fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::CannotListen) << e.what();
  }
}

TEST_P(LifecycleTest, PortCanBeReboundAfterStopListening) {
  auto a = reactor->listenTCP(0, server);
  uint16_t port = a->getHost().port();
  a->stopListening();
  auto b = reactor->listenTCP(port, server);
  EXPECT_EQ(b->getHost().port(), port);
}

TEST_P(LifecycleTest, ExceptionInDataReceivedClosesOnlyThatConnection) {
  server.configure = [](ScriptedProtocol& p) {
    p.onData = [](ScriptedProtocol& s, std::string_view d) {
      if (d.find("boom") != std::string_view::npos) throw std::runtime_error("protocol bug");
      s.transport->write(d);
    };
  };
  auto port = reactor->listenTCP(0, server);
  int lost = 0;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      s.transport->write(client.logs.size() == 1 ? "boom" : "fine");
    };
    p.onData = [](ScriptedProtocol& s, std::string_view) { s.transport->loseConnection(); };
  };
  client.onClientLost = [&](const Reason&) {
    if (++lost == 2) reactor->stop();
  };
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor();
  ASSERT_EQ(client.logs.size(), 2u);
  EXPECT_EQ(client.logs[0]->received, "");
  EXPECT_EQ(client.logs[1]->received, "fine");
}

TEST_P(LifecycleTest, ReconnectFromClientConnectionLost) {
  server.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& s) { s.transport->loseConnection(); };
  };
  auto port = reactor->listenTCP(0, server);
  class Again : public ScriptedFactory {
   public:
    int connections = 0;
    void clientConnectionLost(Connector& c, const Reason& r) override {
      ScriptedFactory::clientConnectionLost(c, r);
      if (++connections < 3)
        c.connect();
      else
        c.reactor().stop();
    }
  } again;
  reactor->connectTCP("127.0.0.1", port->getHost().port(), again);
  runReactor();
  EXPECT_EQ(again.connections, 3);
  EXPECT_EQ(again.starts, 1);
  EXPECT_EQ(again.stops, 1);
}

TEST_P(LifecycleTest, ReconnectingClientFactoryBacksOffAndStops) {
  class Retrying : public ReconnectingClientFactory {
   public:
    int failures = 0;
    std::vector<double> delays;
    std::unique_ptr<Protocol> buildProtocol(const Address&) override { return nullptr; }
    void clientConnectionFailed(Connector& c, const Reason& r) override {
      ++failures;
      ReconnectingClientFactory::clientConnectionFailed(c, r);
      delays.push_back(currentDelay());
      if (failures == 4) {
        stopTrying();
        Reactor* r = &c.reactor();
        r->callLater(Duration(0.05), [r] { r->stop(); });
      }
    }
  } f;
  f.initialDelay = 0.001;
  f.factor = 2.0;
  f.jitter = 0;
  f.maxDelay = 0.004;
  reactor->connectTCP("127.0.0.1", closedPort(), f);
  runReactor();
  EXPECT_EQ(f.failures, 4);
  ASSERT_EQ(f.delays.size(), 4u);
  EXPECT_DOUBLE_EQ(f.delays[0], 0.002);
  EXPECT_DOUBLE_EQ(f.delays[1], 0.004);
  EXPECT_DOUBLE_EQ(f.delays[2], 0.004);  // capped at maxDelay
}

TEST_P(LifecycleTest, ShutdownGivesEveryConnectionExactlyOneConnectionLost) {
  server.configure = echo;
  auto port = reactor->listenTCP(0, server);
  constexpr int kConns = 20;
  int made = 0;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      s.transport->write("pending reply");
      if (++made == kConns) stopWhen([&] { return server.logs.size() == kConns; });
    };
  };
  for (int i = 0; i < kConns; ++i) reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor();
  ASSERT_EQ(client.logs.size(), static_cast<size_t>(kConns));
  ASSERT_EQ(server.logs.size(), static_cast<size_t>(kConns));
  for (auto& l : client.logs) EXPECT_EQ(l->lost, 1);
  for (auto& l : server.logs) EXPECT_EQ(l->lost, 1);
  EXPECT_EQ(reactor->connectionCount(), 0u);
  EXPECT_FALSE(port->listening());
}

TEST_P(LifecycleTest, StopFlushesRepliesQueuedBeforeIt) {
  // The server queues a large reply and the reactor is stopped at once: the reply must still
  // reach a peer that keeps reading (here, a raw socket on another thread).
  const std::string reply = pattern(4 << 20, 11);
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      s.transport->write(reply);
      reactor->stop();
    };
  };
  auto port = reactor->listenTCP(0, server);
  std::string got;
  std::thread peer([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    ASSERT_GE(fd, 0);
    char buf[65536];
    for (long n; (n = rawRecv(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
    rawClose(fd);
  });
  runReactor(Duration(30));
  peer.join();
  EXPECT_EQ(got.size(), reply.size());
  EXPECT_TRUE(got == reply);
  ASSERT_EQ(server.logs.size(), 1u);
  EXPECT_EQ(server.logs[0]->lost, 1);
  EXPECT_TRUE(server.logs[0]->reasons[0].clean()) << server.logs[0]->reasons[0].describe();
}

TEST_P(LifecycleTest, StopListeningKeepsLiveConnectionsAndRefusesNewOnes) {
  server.configure = echo;
  auto port = reactor->listenTCP(0, server);
  const uint16_t portNumber = port->getHost().port();
  Transport* live = nullptr;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      if (!live) live = s.transport;
    };
  };
  ScriptedFactory late;
  late.onFailed = [&](const Reason&) { live->write("still echoed"); };
  reactor->connectTCP("127.0.0.1", portNumber, client);
  when([&] { return live && server.logs.size() == 1; },
       [&] {
         port->stopListening();
         EXPECT_FALSE(port->listening());
         reactor->connectTCP("127.0.0.1", portNumber, late);
       });
  when([&] { return client.logs.size() == 1 && client.logs[0]->received == "still echoed"; },
       [&] { live->loseConnection(); });
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  runReactor();
  ASSERT_EQ(late.failures.size(), 1u);
  EXPECT_EQ(late.failures[0].kind, ErrorKind::ConnectionRefused) << late.failures[0].describe();
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_EQ(client.logs[0]->received, "still echoed");
  EXPECT_TRUE(client.logs[0]->reasons.at(0).clean());
  EXPECT_EQ(server.starts, 1);
  EXPECT_EQ(server.stops, 1);
  EXPECT_EQ(server.logs.size(), 1u);
}

TEST_P(LifecycleTest, DisconnectWhileConnectingCancelsTheAttempt) {
  server.configure = echo;
  auto port = reactor->listenTCP(0, server);
  std::shared_ptr<Connector> c;
  Connector::State stateAfter = Connector::State::Connected;
  reactor->callWhenRunning([&] {
    c = reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
    ASSERT_EQ(c->state(), Connector::State::Connecting);
    c->disconnect();
    stateAfter = c->state();
    // Long enough for a connection that was not cancelled to be made on loopback.
    reactor->callLater(Duration(0.05), [&] { reactor->stop(); });
  });
  runReactor();
  EXPECT_EQ(stateAfter, Connector::State::Disconnected);
  ASSERT_EQ(client.failures.size(), 1u);
  EXPECT_EQ(client.failures[0].kind, ErrorKind::UserCancelled) << client.failures[0].describe();
  EXPECT_TRUE(client.logs.empty()) << "a protocol was built for a cancelled attempt";
  EXPECT_TRUE(client.clientLost.empty());
  EXPECT_EQ(client.starts, 1);
  EXPECT_EQ(client.stops, 1);
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(LifecycleTest);

}  // namespace
}  // namespace weft::test
