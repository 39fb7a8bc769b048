// Ways a connection ends, on every reactor: abort from inside dataReceived, EOF while reading
// is paused, simultaneous close, writes after our half-close, the peer writing after it, and
// the shutdown timeout against a peer that never reads.
#include <atomic>
#include <cerrno>
#include <thread>

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"

namespace weft::test {
namespace {

class CloseTest : public ReactorTest {
 protected:
  ScriptedFactory server, client;
  std::shared_ptr<ListeningPort> listen() { return reactor->listenTCP(0, server); }
  void TearDown() override {
    if (peer.joinable()) peer.join();  // before the reactor it talks to goes
    ReactorTest::TearDown();
  }
  std::thread peer;
};

// How a peer's read ended.
enum class End { NotYet, Eof, Error, TimedOut };

// Reads until EOF, an error, or (with `timeoutSeconds`) that long without a byte; returns what
// was read and sets `end`.
std::string readToEnd(int fd, End& end, int timeoutSeconds = 0) {
  if (timeoutSeconds > 0) {
#ifdef _WIN32
    DWORD ms = static_cast<DWORD>(timeoutSeconds) * 1000;
    ::setsockopt(rawFd(fd), SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&ms), sizeof ms);
#else
    timeval tv{timeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
#endif
  }
  std::string got;
  char buf[65536];
  for (;;) {
    long n = rawRecv(fd, buf, sizeof buf);
    if (n > 0) {
      got.append(buf, static_cast<size_t>(n));
      continue;
    }
#ifdef _WIN32
    const bool timedOut = n < 0 && ::WSAGetLastError() == WSAETIMEDOUT;
#else
    const bool timedOut = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
#endif
    end = n == 0 ? End::Eof : timedOut ? End::TimedOut : End::Error;
    return got;
  }
}

TEST_P(CloseTest, AbortFromInsideDataReceivedIsDeliveredAfterIt) {
  bool insideDataReceived = false, lostInside = false;
  int deliveries = 0;
  server.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& s, std::string_view) {
      ++deliveries;
      insideDataReceived = true;
      s.transport->write("reply that the abort drops");
      s.transport->abortConnection();
      EXPECT_TRUE(s.transport->disconnecting());
      EXPECT_EQ(s.transport->bufferedBytes(), 0u);
      insideDataReceived = false;
    };
    p.onLost = [&](ScriptedProtocol&, const Reason&) { lostInside = insideDataReceived; };
  };
  auto port = listen();
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& s) { s.transport->write("trigger"); };
  };
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor();
  EXPECT_EQ(deliveries, 1);
  EXPECT_FALSE(lostInside) << "connectionLost ran inside dataReceived";
  ASSERT_EQ(server.logs.size(), 1u);
  ASSERT_EQ(server.logs[0]->reasons.size(), 1u);
  EXPECT_EQ(server.logs[0]->reasons[0].kind, ErrorKind::Aborted);
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_EQ(client.logs[0]->reasons.at(0).kind, ErrorKind::Reset)
      << client.logs[0]->reasons[0].describe();
}

TEST_P(CloseTest, EofWhileReadingIsPausedWaitsForResumeAndComesAfterTheData) {
  Transport* serverTransport = nullptr;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      serverTransport = s.transport;
      s.transport->pauseProducing();
    };
    p.onLost = [&](ScriptedProtocol& s, const Reason&) {
      EXPECT_EQ(s.log().received, "sent before the EOF") << "connectionLost came before the data";
    };
  };
  auto port = listen();
  std::atomic<bool> peerClosed{false};
  peer = std::thread([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(rawSend(fd, "sent before the EOF", 19), 19);
    rawClose(fd);
    peerClosed = true;
  });
  size_t receivedWhilePaused = 99;
  int lostWhilePaused = 99;
  // Once the data and the EOF are in our socket, a paused transport must sit on both; then
  // it resumes.
  when([&] { return peerClosed.load() && serverTransport; },
       [&] {
         reactor->callLater(Duration(0.05), [&] {
           receivedWhilePaused = server.logs.at(0)->received.size();
           lostWhilePaused = server.logs.at(0)->lost;
           serverTransport->resumeProducing();
           stopWhen([&] { return server.totalLost() == 1; });
         });
       });
  runReactor();
  EXPECT_EQ(receivedWhilePaused, 0u);
  EXPECT_EQ(lostWhilePaused, 0);
  ASSERT_EQ(server.logs.size(), 1u);
  EXPECT_EQ(server.logs[0]->received, "sent before the EOF");
  EXPECT_TRUE(server.logs[0]->reasons.at(0).clean()) << server.logs[0]->reasons[0].describe();
}

TEST_P(CloseTest, SimultaneousCloseIsCleanOnBothSides) {
  Transport *serverSide = nullptr, *clientSide = nullptr;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      serverSide = s.transport;
      s.transport->write("from the server");
    };
  };
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      clientSide = s.transport;
      s.transport->write("from the client");
    };
  };
  auto port = listen();
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  // Once each side has what the other wrote, both close in the same callback.
  when(
      [&] {
        return server.logs.size() == 1 && client.logs.size() == 1 &&
               server.logs[0]->received == "from the client" &&
               client.logs[0]->received == "from the server";
      },
      [&] {
        serverSide->loseConnection();
        clientSide->loseConnection();
        stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
      });
  runReactor();
  for (auto* logs : {&server.logs, &client.logs}) {
    ASSERT_EQ(logs->size(), 1u);
    EXPECT_EQ(logs->at(0)->lost, 1);
    EXPECT_TRUE(logs->at(0)->reasons.at(0).clean()) << logs->at(0)->reasons[0].describe();
  }
  EXPECT_EQ(client.clientLost.size(), 1u);
  EXPECT_EQ(reactor->connectionCount(), 0u);
}

TEST_P(CloseTest, WritesAfterOurHalfCloseAreDroppedAndThePeersWritesStillArrive) {
  // Our side half-closes after "bye": what it writes afterwards is dropped (the peer sees "bye"
  // and EOF), while everything the peer sends after our EOF is still read, up to its own EOF.
  const std::string payload = pattern(1 << 20, 21);
  server.configure = [&](ScriptedProtocol& p) {
    p.halfClose = true;
    p.onMade = [](ScriptedProtocol& s) {
      s.transport->write("bye");
      s.transport->loseWriteConnection();
      s.transport->write("dropped at once");
      s.transport->writeSequence({"dropped", " too"});
    };
    p.onData = [](ScriptedProtocol& s, std::string_view) {
      if (s.log().writeLost == 1) s.transport->write("dropped later");
    };
  };
  auto port = listen();
  std::string peerGot;
  End peerEnd = End::NotYet;
  peer = std::thread([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    ASSERT_GE(fd, 0);
    peerGot = readToEnd(fd, peerEnd, 20);  // our EOF first: then the peer talks
    for (size_t at = 0; at < payload.size();) {
      long n = rawSend(fd, payload.data() + at, payload.size() - at);
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    ::shutdown(rawFd(fd), 1);  // SHUT_WR / SD_SEND
    End end = End::NotYet;
    readToEnd(fd, end, 20);
    rawClose(fd);
  });
  stopWhen([&] { return server.totalLost() == 1; });
  runReactor(Duration(30));
  peer.join();
  EXPECT_EQ(peerGot, "bye");
  EXPECT_TRUE(peerEnd == End::Eof) << "the peer did not see our EOF";
  ASSERT_EQ(server.logs.size(), 1u);
  EXPECT_EQ(server.logs[0]->writeLost, 1);
  EXPECT_EQ(server.logs[0]->readLost, 1);
  EXPECT_EQ(server.logs[0]->received.size(), payload.size());
  EXPECT_TRUE(server.logs[0]->received == payload);
  EXPECT_TRUE(server.logs[0]->reasons.at(0).clean()) << server.logs[0]->reasons[0].describe();
}

TEST_P(CloseTest, ShutdownTimeoutCutsOffAPeerThatNeverReads) {
  // stop() waits for queued replies only until the shutdown timeout: a peer that does not read
  // must not hold run() (or the connection) beyond it.
  constexpr double kTimeout = 0.2;
  reactor->setShutdownTimeout(Duration(kTimeout));
  const std::string big(8 << 20, 'q');
  Clock::time_point stoppedAt{};
  size_t bufferedAtStop = 0;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      s.transport->write(big);
      bufferedAtStop = s.transport->bufferedBytes();
      stoppedAt = Clock::now();
      reactor->stop();
    };
  };
  auto port = listen();
  std::atomic<bool> runReturned{false};
  std::string peerGot;
  End peerEnd = End::NotYet;
  peer = std::thread([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    ASSERT_GE(fd, 0);
    rawSetIntOption(fd, SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    // Not a byte read until the reactor has given up on us (bounded: the run's own limit).
    waitUntil([&] { return runReturned.load(); }, Duration(30));
    peerGot = readToEnd(fd, peerEnd, 20);
    rawClose(fd);
  });
  runReactor(Duration(20));
  const double took = Duration(Clock::now() - stoppedAt).count();
  runReturned = true;
  peer.join();
  EXPECT_GT(bufferedAtStop, 0u) << "the kernel took everything: nothing was left to drain";
  EXPECT_GE(took, kTimeout) << "the drain gave up before the shutdown timeout";
  ASSERT_EQ(server.logs.size(), 1u);
  EXPECT_EQ(server.logs[0]->lost, 1);
  EXPECT_EQ(server.logs[0]->reasons.at(0).kind, ErrorKind::ConnectionLost)
      << server.logs[0]->reasons[0].describe();
  EXPECT_LT(peerGot.size(), big.size());
  EXPECT_TRUE(peerEnd == End::Eof || peerEnd == End::Error) << "the peer's socket stayed open";
  EXPECT_EQ(reactor->connectionCount(), 0u);
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(CloseTest);

}  // namespace
}  // namespace weft::test
