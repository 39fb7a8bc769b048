// Flow control on every reactor: read backpressure against a peer that never reads, streaming
// producers paused at the high-water mark and resumed at the low one, pause/resume reading.
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

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

// Writes 16 KiB chunks while not paused, like a file sender. It records the transport's
// buffer after every write, and where it was paused and resumed.
class ChunkProducer : public PushProducer {
 public:
  static constexpr size_t kChunk = 16384;
  Transport* t = nullptr;
  Reactor* reactor = nullptr;
  int pauses = 0, resumes = 0, stops = 0;
  size_t produced = 0, limit = 8 << 20;
  size_t maxBuffered = 0;
  std::vector<size_t> bufferedAtPause, bufferedAtResume;
  bool paused = false;
  void produce() {
    while (!paused && produced < limit) {
      t->write(std::string(kChunk, 'p'));
      produced += kChunk;
      maxBuffered = std::max(maxBuffered, t->bufferedBytes());
    }
    if (produced >= limit) {
      t->unregisterProducer();
      t->loseConnection();
    }
  }
  void pauseProducing() override {
    ++pauses;
    paused = true;
    bufferedAtPause.push_back(t->bufferedBytes());
  }
  void resumeProducing() override {
    ++resumes;
    paused = false;
    bufferedAtResume.push_back(t->bufferedBytes());
    reactor->callLater(Duration(0), [this] { produce(); });
  }
  void stopProducing() override { ++stops; }
};

// Streams `producer.limit` bytes from the server to a weft client through the producer, with
// `marks` set on the server's transport (default ones if unset).
void streamThroughProducer(Reactor& reactor, ScriptedFactory& server, ScriptedFactory& client,
                           ChunkProducer& producer, std::optional<WaterMarks> marks,
                           size_t& received) {
  producer.reactor = &reactor;
  server.configure = [&, marks](ScriptedProtocol& p) {
    p.onMade = [&, marks](ScriptedProtocol& s) {
      producer.t = s.transport;
      if (marks) s.transport->setWaterMarks(*marks);
      s.transport->registerProducer(producer);
      EXPECT_THROW(s.transport->registerProducer(producer), Error);
      producer.produce();
    };
  };
  auto port = reactor.listenTCP(0, server);
  client.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& s, std::string_view d) {
      received += d.size();
      s.log().received.clear();
    };
  };
  reactor.connectTCP("127.0.0.1", port->getHost().port(), client);
}

TEST_P(FlowControlTest, StreamingProducerIsPausedAndResumed) {
  ChunkProducer producer;
  size_t received = 0;
  streamThroughProducer(*reactor, server, client, producer, std::nullopt, received);
  client.onClientLost = [&](const Reason&) { stopWhen([&] { return server.totalLost() == 1; }); };
  runReactor(Duration(60));
  EXPECT_EQ(received, producer.limit);
  EXPECT_GE(producer.pauses, 1);
  EXPECT_GE(producer.resumes, 1);
  // Tracked after every write: paused as soon as the buffer passed the mark, never later.
  EXPECT_GT(producer.maxBuffered, WaterMarks{}.high) << "never buffered past the mark";
  EXPECT_LE(producer.maxBuffered, WaterMarks{}.high + ChunkProducer::kChunk);
}

TEST_P(FlowControlTest, SetWaterMarksMovesWhereTheProducerIsPausedAndResumed) {
  // Marks well away from the defaults (64 KiB / 16 KiB), so ignoring them shows.
  const WaterMarks marks{.high = 512 * 1024, .low = 256 * 1024};
  ChunkProducer producer;
  size_t received = 0;
  streamThroughProducer(*reactor, server, client, producer, marks, received);
  client.onClientLost = [&](const Reason&) { stopWhen([&] { return server.totalLost() == 1; }); };
  runReactor(Duration(60));
  EXPECT_EQ(received, producer.limit);
  ASSERT_GE(producer.pauses, 1);
  EXPECT_GE(producer.resumes, 1);
  for (size_t b : producer.bufferedAtPause) {
    EXPECT_GT(b, marks.high) << "paused below the high-water mark set";
    EXPECT_LE(b, marks.high + ChunkProducer::kChunk);
  }
  for (size_t b : producer.bufferedAtResume) EXPECT_LE(b, marks.low) << "resumed above low";
  EXPECT_LE(producer.maxBuffered, marks.high + ChunkProducer::kChunk);
}

TEST_P(FlowControlTest, WithoutReadBackpressureANonReadingPeerIsStillRead) {
  // setReadBackpressure(false): the echo keeps reading while its replies pile up (the
  // application takes charge of its memory), so the peer can send everything before reading.
  const std::string payload = pattern(16 << 20, 9);
  size_t maxBuffered = 0;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& s) { s.transport->setReadBackpressure(false); };
    p.onData = [&](ScriptedProtocol& s, std::string_view d) {
      s.log().received.clear();
      s.transport->write(d);
      maxBuffered = std::max(maxBuffered, s.transport->bufferedBytes());
    };
  };
  auto port = reactor->listenTCP(0, server);
  std::atomic<bool> done{false};
  size_t sent = 0;
  std::string echoed;
  std::thread peer([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    if (fd < 0) {
      done = true;
      return;
    }
    rawSetIntOption(fd, SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    rawSetNonBlocking(fd);
    // Send it all without reading a byte (bounded: with backpressure on, this stalls).
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (sent < payload.size() && Clock::now() < deadline) {
      long n = rawSend(fd, payload.data() + sent, payload.size() - sent);
      if (n > 0)
        sent += static_cast<size_t>(n);
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // Then read the echo back.
    char buf[65536];
    while (echoed.size() < sent && Clock::now() < deadline + std::chrono::seconds(20)) {
      long n = rawRecv(fd, buf, sizeof buf);
      if (n > 0)
        echoed.append(buf, static_cast<size_t>(n));
      else if (n == 0)
        break;
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    rawClose(fd);
    done = true;
  });
  stopWhen([&] { return done.load() && server.totalLost() == 1; });
  runReactor(Duration(60));
  peer.join();
  EXPECT_EQ(sent, payload.size()) << "the server stopped reading";
  EXPECT_GT(maxBuffered, WaterMarks{}.high + 64 * 1024) << "reading stopped at the mark";
  EXPECT_EQ(echoed.size(), payload.size());
  EXPECT_TRUE(echoed == payload);
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
