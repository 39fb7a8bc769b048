// Flow control on every reactor: read backpressure against a peer that never reads, streaming
// producers paused at the high-water mark and resumed at the low one, pause/resume reading.
#include <atomic>

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"

namespace weft::test {
namespace {

class FlowControlTest : public ReactorTest {
 protected:
  ScriptedFactory server, client;
};

TEST_P(FlowControlTest, NonReadingPeerCannotGrowTheEchoBuffer) {
  size_t maxBuffered = 0;
  size_t echoed = 0;
  server.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& s, std::string_view d) {
      s.transport->write(d);
      echoed += d.size();
      maxBuffered = std::max(maxBuffered, s.transport->bufferedBytes());
    };
  };
  auto port = reactor->listenTCP(0, server);
  std::atomic<bool> done{false};
  std::thread peer([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    ASSERT_GE(fd, 0);
    rawSetIntOption(fd, SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    rawSetNonBlocking(fd);
    std::string chunk(64 * 1024, 'x');
    auto deadline = Clock::now() + std::chrono::seconds(2);
    size_t sent = 0;
    while (Clock::now() < deadline && sent < (64u << 20)) {
      auto n = rawSend(fd, chunk.data(), chunk.size());
      if (n > 0)
        sent += static_cast<size_t>(n);
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    done = true;
    rawClose(fd);
  });
  stopWhen([&] { return done.load() && server.totalLost() == 1; });
  runReactor(Duration(30));
  peer.join();
  const WaterMarks marks;
  EXPECT_GT(echoed, marks.high) << "the peer should have filled the server's buffer";
  EXPECT_LE(maxBuffered, marks.high + 64 * 1024) << "buffer grew past high-water + one read";
}

// Writes 16 KiB chunks while not paused, like a file sender.
class ChunkProducer : public PushProducer {
 public:
  Transport* t = nullptr;
  Reactor* reactor = nullptr;
  int pauses = 0, resumes = 0, stops = 0;
  size_t produced = 0, limit = 8 << 20;
  bool paused = false;
  void produce() {
    while (!paused && produced < limit) {
      t->write(std::string(16384, 'p'));
      produced += 16384;
    }
    if (produced >= limit) {
      t->unregisterProducer();
      t->loseConnection();
    }
  }
  void pauseProducing() override {
    ++pauses;
    paused = true;
  }
  void resumeProducing() override {
    ++resumes;
    paused = false;
    reactor->callLater(Duration(0), [this] { produce(); });
  }
  void stopProducing() override { ++stops; }
};

TEST_P(FlowControlTest, StreamingProducerIsPausedAndResumed) {
  ChunkProducer producer;
  producer.reactor = reactor.get();
  size_t maxBuffered = 0;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      producer.t = s.transport;
      s.transport->registerProducer(producer);
      EXPECT_THROW(s.transport->registerProducer(producer), Error);
      producer.produce();
      maxBuffered = s.transport->bufferedBytes();
    };
  };
  auto port = reactor->listenTCP(0, server);
  size_t received = 0;
  client.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& s, std::string_view d) {
      received += d.size();
      s.log().received.clear();
    };
  };
  client.onClientLost = [&](const Reason&) { stopWhen([&] { return server.totalLost() == 1; }); };
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor(Duration(60));
  EXPECT_EQ(received, producer.limit);
  EXPECT_GE(producer.pauses, 1);
  EXPECT_GE(producer.resumes, 1);
  EXPECT_LE(maxBuffered, WaterMarks{}.high + 16384);
}

TEST_P(FlowControlTest, PauseProducingStopsReadingUntilResumed) {
  Transport* serverTransport = nullptr;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      serverTransport = s.transport;
      s.transport->pauseProducing();
    };
  };
  auto port = reactor->listenTCP(0, server);
  size_t seenWhilePaused = 99;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      s.transport->write("held back");
      reactor->callLater(Duration(0.1), [&] {
        seenWhilePaused = server.logs.at(0)->received.size();
        serverTransport->resumeProducing();
        stopWhen([&] { return server.logs.at(0)->received == "held back"; });
      });
    };
  };
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor();
  EXPECT_EQ(seenWhilePaused, 0u);
  EXPECT_EQ(server.logs.at(0)->received, "held back");
}

TEST_P(FlowControlTest, WriteSequenceGathersInOrder) {
  server.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& s) {
      std::string big = pattern(300000, 5);
      std::vector<std::string_view> parts{"a", "bc", big, "", "def"};
      s.transport->writeSequence(parts);
      s.transport->writeSequence({"g", "h"});
      s.transport->loseConnection();
    };
  };
  auto port = reactor->listenTCP(0, server);
  client.onClientLost = [&](const Reason&) { reactor->stop(); };
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  runReactor();
  EXPECT_EQ(client.logs.at(0)->received, "abc" + pattern(300000, 5) + "defgh");
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(FlowControlTest);

}  // namespace
}  // namespace weft::test
