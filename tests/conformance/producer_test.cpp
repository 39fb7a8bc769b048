// A registered producer's life on every reactor: loseConnection() waits for it to unregister,
// losing the connection stops it, and an abort from inside its resumeProducing() is safe.
#include <atomic>
#include <thread>

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"

namespace weft::test {
namespace {

class ProducerTest : public ReactorTest {
 protected:
  ScriptedFactory server, client;
  std::shared_ptr<ListeningPort> listen() { return reactor->listenTCP(0, server); }
  void TearDown() override {
    if (peer.joinable()) peer.join();
    ReactorTest::TearDown();
  }
  std::thread peer;
};

// Counts what the transport tells it; `onResume` lets a test act from inside the call.
class CountingProducer : public PushProducer {
 public:
  int pauses = 0, resumes = 0, stops = 0;
  bool paused = false;
  std::function<void()> onResume;
  void pauseProducing() override {
    ++pauses;
    paused = true;
  }
  void resumeProducing() override {
    ++resumes;
    paused = false;
    if (onResume) onResume();
  }
  void stopProducing() override { ++stops; }
};

TEST_P(ProducerTest, LoseConnectionWaitsForTheProducerToUnregister) {
  CountingProducer producer;
  Transport* serverSide = nullptr;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      serverSide = s.transport;
      s.transport->registerProducer(producer);
      s.transport->write("queued before loseConnection");
      s.transport->loseConnection();
    };
  };
  auto port = listen();
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  int clientLostWhileRegistered = 99, serverLostWhileRegistered = 99;
  bool connectedWhileRegistered = false;
  // Everything was flushed; with the producer still registered the connection stays up (a
  // closing transport closes within a few loop turns of the flush: allow it many).
  when(
      [&] {
        return client.logs.size() == 1 &&
               client.logs[0]->received == "queued before loseConnection";
      },
      [&] {
        reactor->callLater(Duration(0.05), [&] {
          clientLostWhileRegistered = client.totalLost();
          serverLostWhileRegistered = server.totalLost();
          connectedWhileRegistered = serverSide->connected();
          serverSide->unregisterProducer();
          stopWhen([&] { return client.totalLost() == 1 && server.totalLost() == 1; });
        });
      });
  runReactor();
  EXPECT_EQ(clientLostWhileRegistered, 0);
  EXPECT_EQ(serverLostWhileRegistered, 0);
  EXPECT_TRUE(connectedWhileRegistered);
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_TRUE(client.logs[0]->reasons.at(0).clean()) << client.logs[0]->reasons[0].describe();
  EXPECT_TRUE(server.logs.at(0)->reasons.at(0).clean());
  EXPECT_EQ(producer.stops, 0) << "an unregistered producer is not the transport's to stop";
}

TEST_P(ProducerTest, ConnectionLossStopsTheRegisteredProducer) {
  CountingProducer producer;
  int stopsAtConnectionLost = -1;
  std::atomic<bool> registered{false};
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      s.transport->registerProducer(producer);
      registered = true;
    };
    p.onLost = [&](ScriptedProtocol&, const Reason&) { stopsAtConnectionLost = producer.stops; };
  };
  auto port = listen();
  peer = std::thread([&, addr = port->getHost()] {
    int fd = rawConnect(addr);
    ASSERT_GE(fd, 0);
    waitUntil([&] { return registered.load(); });
    rawReset(fd);
  });
  stopWhen([&] { return server.totalLost() == 1; });
  runReactor();
  EXPECT_EQ(producer.stops, 1);
  EXPECT_EQ(stopsAtConnectionLost, 1) << "stopProducing must come before connectionLost";
  ASSERT_EQ(server.logs.size(), 1u);
  EXPECT_EQ(server.logs[0]->reasons.at(0).kind, ErrorKind::Reset);
}

TEST_P(ProducerTest, AbortFromInsideResumeProducing) {
  // The producer fills the buffer past the high-water mark, is paused, and aborts the
  // connection from inside the resumeProducing() that the drain brings.
  CountingProducer producer;
  Transport* serverSide = nullptr;
  bool insideResume = false, lostInsideResume = false;
  auto fill = [&] {
    for (int i = 0; i < 4096 && !producer.paused; ++i) serverSide->write(std::string(65536, 'f'));
  };
  producer.onResume = [&] {
    insideResume = true;
    serverSide->abortConnection();
    EXPECT_EQ(serverSide->bufferedBytes(), 0u);
    insideResume = false;
  };
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& s) {
      serverSide = s.transport;
      s.transport->registerProducer(producer);
      fill();
    };
    p.onLost = [&](ScriptedProtocol&, const Reason&) { lostInsideResume = insideResume; };
  };
  client.configure = [](ScriptedProtocol& p) {
    p.onData = [](ScriptedProtocol& s, std::string_view) { s.log().received.clear(); };
  };
  auto port = listen();
  reactor->connectTCP("127.0.0.1", port->getHost().port(), client);
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  runReactor(Duration(30));
  EXPECT_GE(producer.pauses, 1) << "the buffer never passed the high-water mark";
  EXPECT_EQ(producer.resumes, 1);
  EXPECT_EQ(producer.stops, 1);
  EXPECT_FALSE(lostInsideResume) << "connectionLost ran inside resumeProducing";
  ASSERT_EQ(server.logs.size(), 1u);
  ASSERT_EQ(server.logs[0]->reasons.size(), 1u);
  EXPECT_EQ(server.logs[0]->reasons[0].kind, ErrorKind::Aborted)
      << server.logs[0]->reasons[0].describe();
  ASSERT_EQ(client.logs.size(), 1u);
  EXPECT_FALSE(client.logs[0]->reasons.at(0).clean()) << client.logs[0]->reasons[0].describe();
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(ProducerTest);

}  // namespace
}  // namespace weft::test
