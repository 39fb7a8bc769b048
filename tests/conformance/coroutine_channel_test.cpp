// Awaitable receiving on every reactor: a coroutine connects through an endpoint string, sends,
// and co_awaits each reply (line, length-prefixed, netstring, raw stream); the end of the
// connection is a ConnectionClosedError, never a hang; a coroutine that does not await stops
// the client reading (the server's writes back up), and awaiting again drains everything.
#include <memory>
#include <optional>
#include <string>

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"
#include "weft/endpoint_strings.hpp"
#include "weft/protocols/awaitable_receivers.hpp"
#include "weft/protocols/echo_servers.hpp"
#include "weft/protocols/framing.hpp"
#include "weft/task.hpp"

namespace weft::test {
namespace {

class CoroutineChannelTest : public ReactorTest {
 protected:
  // An echo server of `options` on 127.0.0.1; returns its client endpoint.
  std::unique_ptr<ClientEndpoint> echoServer(const EchoServerOptions& options) {
    factory_ = makeEchoServerFactory(options);
    port_ = reactor->listenTCP(0, *factory_, 50, "127.0.0.1");
    return clientFromString(*reactor, "tcp:host=127.0.0.1:port=" +
                                          std::to_string(port_->getHost().port()) + ":timeout=10");
  }
  // Runs `task` and stops the reactor when it ends; returns its outcome.
  template <class T>
  std::optional<Outcome<T>> runTask(std::function<Task<T>()> body) {
    std::optional<Outcome<T>> out;
    reactor->callWhenRunning([&] {
      ensureDeferred(body()).addBoth([&](Outcome<T> o) {
        out.emplace(std::move(o));
        stopQuietly();
      });
    });
    EXPECT_TRUE(runReactor());
    return out;
  }

  std::unique_ptr<Factory> factory_;
  std::shared_ptr<ListeningPort> port_;
};

template <class P, class... A>
Task<std::string> helloTwice(ClientEndpoint& ep, A... args) {
  auto ch = co_await connectChannel(ep, std::make_unique<P>(args...));
  ch->send("hello");
  ch->send("again");
  std::string a = co_await ch->next();
  std::string b = co_await ch->next();
  ch->close();
  co_return a + "," + b;
}

TEST_P(CoroutineChannelTest, LineClientAwaitsEachReply) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::Line;
  auto ep = echoServer(o);
  auto out = runTask<std::string>([&] { return helloTwice<AwaitableLineReceiver>(*ep); });
  ASSERT_TRUE(out);
  EXPECT_EQ(out->value(), "hello,again");
}

TEST_P(CoroutineChannelTest, LengthPrefixedClientAwaitsEachReply) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::LengthPrefix;
  o.prefix = PrefixFormat::U32LE;
  auto ep = echoServer(o);
  auto out = runTask<std::string>(
      [&] { return helloTwice<AwaitableIntNStringReceiver>(*ep, PrefixFormat::U32LE); });
  ASSERT_TRUE(out);
  EXPECT_EQ(out->value(), "hello,again");
}

TEST_P(CoroutineChannelTest, NetstringClientAwaitsEachReply) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::Netstring;
  auto ep = echoServer(o);
  auto out = runTask<std::string>([&] { return helloTwice<AwaitableNetstringReceiver>(*ep); });
  ASSERT_TRUE(out);
  EXPECT_EQ(out->value(), "hello,again");
}

TEST_P(CoroutineChannelTest, StreamClientAwaitsBytes) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::Echo;
  auto ep = echoServer(o);
  auto out = runTask<std::string>([&]() -> Task<std::string> {
    auto ch = co_await connectChannel(*ep, std::make_unique<AwaitableStream>());
    ch->send("ping");
    std::string got;
    while (got.size() < 4) got += co_await ch->next();
    ch->close();
    co_return got;
  });
  ASSERT_TRUE(out);
  EXPECT_EQ(out->value(), "ping");
}

TEST_P(CoroutineChannelTest, TheEndOfTheConnectionIsANamedErrorNotAHang) {
  ScriptedFactory closer;  // accepts, then closes at once
  closer.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->loseConnection(); };
  };
  port_ = reactor->listenTCP(0, closer, 50, "127.0.0.1");
  auto ep = clientFromString(*reactor, "tcp:127.0.0.1:" + std::to_string(port_->getHost().port()));
  std::optional<Reason> reason;
  auto out = runTask<void>([&]() -> Task<void> {
    auto ch = co_await connectChannel(*ep, std::make_unique<AwaitableLineReceiver>());
    try {
      co_await ch->next();
    } catch (const ConnectionClosedError& e) {
      reason = e.reason();
    }
    EXPECT_FALSE(ch->open());
    EXPECT_THROW(ch->send("late"), ConnectionClosedError);
    // Asking again after the end fails at once, too.
    EXPECT_THROW(co_await ch->next(), ConnectionClosedError);
  });
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->ok());
  ASSERT_TRUE(reason) << "next() did not fail when the peer closed";
  EXPECT_EQ(reason->kind, ErrorKind::ConnectionDone) << reason->describe();
}

TEST_P(CoroutineChannelTest, ACoroutineThatDoesNotAwaitStopsReading) {
  // The server writes far more than the socket buffers hold; the client queues at most
  // `bound` messages, then stops reading, so the server's writes back up.
  constexpr size_t kBound = 8, kMessages = 400, kSize = 60000;
  ScriptedFactory flooder;
  std::vector<ScriptedProtocol*> serverSide;
  flooder.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& self) {
      serverSide.push_back(&self);
      std::string m = frameLengthPrefixed(PrefixFormat::U32LE, std::string(kSize, 'x'));
      for (size_t i = 0; i < kMessages; ++i) self.transport->write(m);
    };
  };
  port_ = reactor->listenTCP(0, flooder, 50, "127.0.0.1");
  auto ep = clientFromString(*reactor, "tcp:127.0.0.1:" + std::to_string(port_->getHost().port()));
  std::shared_ptr<MessageChannel> ch;
  connectChannel(*ep, std::make_unique<AwaitableIntNStringReceiver>(PrefixFormat::U32LE, kBound))
      .addCallback([&](std::shared_ptr<MessageChannel> c) { ch = c; });
  // Wait (on events) until the client has paused and the server still holds unsent bytes;
  // then a coroutine drains all of it, reading resuming as it goes. One run: stopping the
  // reactor would close the connection.
  size_t queuedWhenStopped = 0;
  bool serverBackedUp = false;
  auto drain = [&]() -> Task<size_t> {
    size_t n = 0;
    while (n < kMessages) {
      std::string m = co_await ch->next();
      if (m.size() != kSize) throw std::runtime_error("short message");
      ++n;
      EXPECT_LE(ch->queued(), kBound);
    }
    co_return n;
  };
  std::optional<Outcome<size_t>> out;
  when(
      [&] {
        if (!ch || !ch->readingPaused() || serverSide.empty()) return false;
        queuedWhenStopped = ch->queued();
        serverBackedUp = serverSide[0]->transport->bufferedBytes() > 0;
        return serverBackedUp;
      },
      [&] {
        ensureDeferred(drain()).addBoth([&](Outcome<size_t> o) {
          out.emplace(std::move(o));
          stopQuietly();
        });
      });
  EXPECT_TRUE(runReactor());
  ASSERT_TRUE(ch);
  EXPECT_TRUE(serverBackedUp);
  EXPECT_LE(queuedWhenStopped, kBound) << "the client kept reading without a reader";
  ASSERT_TRUE(out);
  EXPECT_EQ(out->value(), kMessages);
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(CoroutineChannelTest);

}  // namespace
}  // namespace weft::test
