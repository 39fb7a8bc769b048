// TLS on every reactor (issue #27): weft::tls's TlsProtocol over each backend's TCP
// transport. Certificates are generated at test time (tls_certs.hpp). What is checked:
// writes queued before the handshake, close_notify both ways, truncation, half-close, the
// close timeout, abort at each stage, failed handshakes that close only their own connection
// with a named reason, SNI, ALPN, TLS 1.2, client certificates, session resumption, flow
// control through the TLS layer, and startTLS on a live connection.
#include <gtest/gtest.h>

#include "weft/tls/availability.hpp"

#if WEFT_HAVE_TLS

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"
#include "tls_certs.hpp"
#include "weft/tls/tls.hpp"

namespace weft::test {
namespace {

using tls::ClientContext;
using tls::ClientOptions;
using tls::ServerContext;
using tls::ServerOptions;

ServerOptions serverOptions(const std::string& cert, const std::string& key) {
  ServerOptions o;
  o.certificate = {cert, key};
  return o;
}
ServerOptions serverOptions() {
  return serverOptions(testPki().serverCert, testPki().serverKey);
}

ClientOptions clientOptions() {
  ClientOptions o;
  o.caFile = testPki().caCert;
  return o;
}

tls::TlsTransport& tlsOf(ScriptedProtocol& p) {
  return *tls::tlsTransport(p.transport);
}

bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

class TlsTest : public ReactorTest {
 protected:
  ScriptedFactory server, client;
  uint16_t listen(ServerOptions o = serverOptions(), ScriptedFactory* f = nullptr) {
    auto port = tls::listenSSL(*reactor, 0, f ? *f : server, ServerContext::create(std::move(o)));
    return port->getHost().port();
  }
  void connect(uint16_t port, ClientOptions o = clientOptions(), const char* host = "127.0.0.1") {
    tls::connectSSL(*reactor, host, port, client, ClientContext::create(std::move(o)));
  }
  static ErrorKind kindOf(ScriptedFactory& f, size_t i) { return f.logs.at(i)->reasons.at(0).kind; }
  static const std::string& messageOf(ScriptedFactory& f, size_t i) {
    return f.logs.at(i)->reasons.at(0).message;
  }
  static int count(ScriptedFactory& f, ErrorKind kind) {
    int n = 0;
    for (auto& l : f.logs)
      for (auto& r : l->reasons) n += r.kind == kind;
    return n;
  }
};

TEST_P(TlsTest, WritesBeforeTheHandshakeArriveAndCloseNotifyEndsBothCleanly) {
  server.configure = echo;
  const std::string msg = "written in connectionMade, before any handshake";
  std::string version;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& self) { self.transport->write(msg); };
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      if (self.log().received.size() < msg.size()) return;
      version = tlsOf(self).protocolVersion();
      self.transport->loseConnection();
    };
  };
  connect(listen());
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(client.logs[0]->received, msg);
  EXPECT_EQ(version, "TLSv1.3");
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
  EXPECT_EQ(kindOf(server, 0), ErrorKind::ConnectionDone) << messageOf(server, 0);
}

TEST_P(TlsTest, LoseConnectionDuringTheHandshakeSendsEverythingQueuedFirst) {
  const std::string big = pattern(300 * 1024);
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& self) {
      self.transport->write(big);
      self.transport->loseConnection();
    };
  };
  connect(listen());
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_TRUE(server.logs[0]->received == big) << server.logs[0]->received.size();
  EXPECT_EQ(kindOf(server, 0), ErrorKind::ConnectionDone) << messageOf(server, 0);
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
}

TEST_P(TlsTest, ServerCloseNotifyGivesTheClientACleanEnd) {
  server.configure = [](ScriptedProtocol& p) {
    p.onData = [](ScriptedProtocol& self, std::string_view) {
      self.transport->write("last words");
      self.transport->loseConnection();
    };
  };
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("bye"); };
  };
  connect(listen());
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(client.logs[0]->received, "last words");
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
  EXPECT_EQ(kindOf(server, 0), ErrorKind::ConnectionDone) << messageOf(server, 0);
}

TEST_P(TlsTest, EofWithoutCloseNotifyIsNamedTruncation) {
  server.configure = echo;
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("ping"); };
    p.onData = [](ScriptedProtocol& self, std::string_view) {
      // Close the TCP connection under TLS: FIN without close_notify.
      auto* layer = dynamic_cast<tls::TlsProtocol*>(self.transport);
      layer->Protocol::transport->loseConnection();
    };
  };
  connect(listen());
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(kindOf(server, 0), ErrorKind::TlsTruncated) << messageOf(server, 0);
  EXPECT_TRUE(contains(messageOf(server, 0), "close_notify")) << messageOf(server, 0);
}

TEST_P(TlsTest, FailedHandshakesCloseOnlyTheirConnectionWithANamedReason) {
  server.configure = echo;
  const uint16_t port = listen();
  // An untrusting client (system store only), a client expecting another name, garbage,
  // a plaintext HTTP client, and then a good client that must still be served.
  ClientOptions untrusting;
  connect(port, untrusting);
  ClientOptions otherName = clientOptions();
  otherName.serverName = "wrong.example";
  connect(port, otherName);
  int garbage = rawConnect(loopback(port));
  int plaintext = rawConnect(loopback(port));
  ASSERT_GE(garbage, 0);
  ASSERT_GE(plaintext, 0);
  const std::string junk = pattern(600, 7);
  rawSend(garbage, junk.data(), junk.size());
  const std::string http = "GET / HTTP/1.0\r\n\r\n";
  rawSend(plaintext, http.data(), http.size());
  bool goodDone = false;
  ScriptedFactory good;
  good.configure = [&](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("still served"); };
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      if (self.log().received.size() < 12) return;
      goodDone = true;
      self.transport->loseConnection();
    };
  };
  reactor->callLater(Duration(0.05), [&] {
    tls::connectSSL(*reactor, "127.0.0.1", port, good, ClientContext::create(clientOptions()));
  });
  stopWhen([&] {
    return client.totalLost() == 2 && good.totalLost() == 1 && server.logs.size() == 5 &&
           server.totalLost() == 5;
  });
  ASSERT_TRUE(runReactor());
  rawClose(garbage);
  rawClose(plaintext);
  EXPECT_TRUE(goodDone);
  EXPECT_EQ(good.logs[0]->reasons[0].kind, ErrorKind::ConnectionDone);
  ASSERT_EQ(client.logs.size(), 2u);
  std::string reasons;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(kindOf(client, i), ErrorKind::TlsHandshakeFailed) << messageOf(client, i);
    reasons += messageOf(client, i) + "\n";
  }
  EXPECT_TRUE(contains(reasons, "unable to get local issuer certificate")) << reasons;
  EXPECT_TRUE(contains(reasons, "hostname mismatch")) << reasons;
  // Four failed handshakes on the server, each its own connection; the fifth was clean.
  EXPECT_EQ(count(server, ErrorKind::TlsHandshakeFailed), 4);
  EXPECT_EQ(count(server, ErrorKind::ConnectionDone), 1);
}

TEST_P(TlsTest, ExpiredAndWrongNameCertificatesAreRefused) {
  ScriptedFactory expiredServer, wrongServer;
  uint16_t expired =
      listen(serverOptions(testPki().expiredCert, testPki().expiredKey), &expiredServer);
  uint16_t wrong =
      listen(serverOptions(testPki().wrongNameCert, testPki().wrongNameKey), &wrongServer);
  ClientOptions o = clientOptions();
  o.serverName = "localhost";
  connect(expired, o);
  connect(wrong, o);
  stopWhen([&] { return client.totalLost() == 2; });
  ASSERT_TRUE(runReactor());
  std::string reasons = messageOf(client, 0) + "\n" + messageOf(client, 1);
  EXPECT_EQ(count(client, ErrorKind::TlsHandshakeFailed), 2) << reasons;
  EXPECT_TRUE(contains(reasons, "certificate has expired")) << reasons;
  EXPECT_TRUE(contains(reasons, "hostname mismatch")) << reasons;
}

TEST_P(TlsTest, AbortWorksDuringTheHandshakeAfterItAndWhileClosing) {
  if (GetParam() == "asio") {
    // Plain TCP shows it too: on asio, write() then abortConnection() in connectionMade
    // leaves reactor shutdown hanging. A backend bug, reported; not a TLS one.
    GTEST_SKIP() << "asio: shutdown hangs after write+abortConnection (TCP too)";
  }
  server.configure = echo;
  int built = 0;
  bool abortedMidHandshake = false;
  client.configure = [&](ScriptedProtocol& p) {
    switch (built++) {
      case 0:  // still handshaking (one tick after connectionMade: the server's reply is a
               // round trip away)
        p.onMade = [&](ScriptedProtocol& self) {
          reactor->callLater(Duration(0), [&] {
            abortedMidHandshake = !tlsOf(self).handshakeDone();
            self.transport->abortConnection();
          });
        };
        break;
      case 1:  // established
        p.onMade = [](ScriptedProtocol& self) { self.transport->write("x"); };
        p.onData = [](ScriptedProtocol& self, std::string_view) {
          self.transport->abortConnection();
        };
        break;
      default:  // waiting for the server's close_notify
        p.onMade = [](ScriptedProtocol& self) { self.transport->write("x"); };
        p.onData = [](ScriptedProtocol& self, std::string_view) {
          self.transport->loseConnection();
          self.transport->abortConnection();
        };
    }
  };
  const uint16_t port = listen();
  for (int i = 0; i < 3; ++i) connect(port);
  stopWhen([&] { return client.totalLost() == 3 && server.totalLost() == 3; });
  ASSERT_TRUE(runReactor());
  EXPECT_TRUE(abortedMidHandshake);
  EXPECT_EQ(count(client, ErrorKind::Aborted), 3);
  for (auto& l : client.logs) EXPECT_EQ(l->lost, 1);
}

TEST_P(TlsTest, HalfCloseSendsCloseNotifyAndKeepsReading) {
  server.configure = [](ScriptedProtocol& p) {
    p.halfClose = true;
    p.onReadLost = [](ScriptedProtocol& self) {
      self.transport->write("reply to " + self.log().received);
      self.transport->loseConnection();
    };
  };
  client.configure = [](ScriptedProtocol& p) {
    p.halfClose = true;
    p.onMade = [](ScriptedProtocol& self) {
      self.transport->write("request");
      self.transport->loseWriteConnection();
      self.transport->write("dropped: after the half-close");
    };
  };
  connect(listen());
  stopWhen([&] { return server.totalLost() == 1 && client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(server.logs[0]->readLost, 1);
  EXPECT_EQ(server.logs[0]->received, "request");
  EXPECT_EQ(client.logs[0]->writeLost, 1);
  EXPECT_EQ(client.logs[0]->readLost, 1);
  EXPECT_EQ(client.logs[0]->received, "reply to request");
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
  EXPECT_EQ(kindOf(server, 0), ErrorKind::ConnectionDone) << messageOf(server, 0);
}

TEST_P(TlsTest, CloseTimeoutBoundsTheWaitForThePeersCloseNotify) {
  // A half-closeable server that never answers close_notify and keeps TCP open.
  server.configure = [](ScriptedProtocol& p) { p.halfClose = true; };
  ClientOptions o = clientOptions();
  o.closeTimeout = Duration(0.1);
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) {
      tlsOf(self).whenHandshakeDone([&self] { self.transport->loseConnection(); });
    };
  };
  connect(listen(), o);
  stopWhen([&] { return client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
  EXPECT_EQ(server.logs[0]->readLost, 1);  // it did get our close_notify
}

TEST_P(TlsTest, SniPicksTheCertificateAlpnNegotiatesAndTls12Works) {
  ServerOptions so = serverOptions();
  so.certificatesByName.push_back(
      {"wrong.example", {testPki().wrongNameCert, testPki().wrongNameKey}});
  so.alpn = {"h2", "http/1.1"};
  std::vector<std::string> sniSeen;
  server.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& self, std::string_view d) {
      sniSeen.push_back(tlsOf(self).serverName());
      self.transport->write(d);
    };
  };
  struct Seen {
    std::string version, alpn;
  };
  std::vector<Seen> seen;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("hi"); };
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      seen.push_back({tlsOf(self).protocolVersion(), tlsOf(self).negotiatedProtocol()});
      self.transport->loseConnection();
    };
  };
  const uint16_t port = listen(so);
  ClientOptions named = clientOptions();
  named.serverName = "wrong.example";  // verifies only if SNI chose that certificate
  named.alpn = {"spdy/1", "http/1.1"};
  connect(port, named);
  ClientOptions old = clientOptions();
  old.maxVersion = tls::TlsVersion::Tls12;
  client.onClientLost = [&](const Reason&) {
    if (client.clientLost.size() == 1) connect(port, old);  // one at a time: order is known
  };
  stopWhen([&] { return client.totalLost() == 2; });
  ASSERT_TRUE(runReactor());
  ASSERT_EQ(seen.size(), 2u) << messageOf(client, 0);
  EXPECT_EQ(seen[0].version, "TLSv1.3");
  EXPECT_EQ(seen[0].alpn, "http/1.1");
  EXPECT_EQ(seen[1].version, "TLSv1.2");
  EXPECT_EQ(seen[1].alpn, "");
  ASSERT_EQ(sniSeen.size(), 2u);
  EXPECT_EQ(sniSeen[0], "wrong.example");
  EXPECT_EQ(sniSeen[1], "");  // an IP literal sends no SNI
  EXPECT_EQ(count(client, ErrorKind::ConnectionDone), 2);
}

TEST_P(TlsTest, ClientCertificatesAreRequiredAndVerified) {
  ServerOptions so = serverOptions();
  so.clientCaFile = testPki().caCert;
  std::string subject;
  server.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& self, std::string_view d) {
      subject = tlsOf(self).peerCertificateSubject();
      self.transport->write(d);
    };
  };
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("hi"); };
    p.onData = [](ScriptedProtocol& self, std::string_view) { self.transport->loseConnection(); };
  };
  const uint16_t port = listen(so);
  ClientOptions with = clientOptions();
  with.certificate = {testPki().clientCert, testPki().clientKey};
  connect(port, with);
  client.onClientLost = [&](const Reason&) {
    if (client.clientLost.size() == 1) connect(port);  // then one without a certificate
  };
  stopWhen([&] { return client.totalLost() == 2 && server.totalLost() == 2; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
  EXPECT_TRUE(contains(subject, "weft test client")) << subject;
  EXPECT_EQ(kindOf(server, 1), ErrorKind::TlsHandshakeFailed) << messageOf(server, 1);
  EXPECT_NE(kindOf(client, 1), ErrorKind::ConnectionDone);
  EXPECT_TRUE(contains(messageOf(client, 1), "certificate required")) << messageOf(client, 1);
}

TEST_P(TlsTest, SecondConnectionResumesTheSession) {
  server.configure = echo;
  auto ctx = ClientContext::create(clientOptions());
  std::vector<bool> reused;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("hi"); };
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      reused.push_back(tlsOf(self).sessionReused());
      self.transport->loseConnection();
    };
  };
  const uint16_t port = listen();
  tls::connectSSL(*reactor, "127.0.0.1", port, client, ctx);
  size_t cachedAfterFirst = 0;
  client.onClientLost = [&](const Reason&) {
    if (client.clientLost.size() > 1) return;
    cachedAfterFirst = ctx->cachedSessions();
    tls::connectSSL(*reactor, "127.0.0.1", port, client, ctx);
  };
  stopWhen([&] { return client.totalLost() == 2; });
  ASSERT_TRUE(runReactor());
  EXPECT_GE(cachedAfterFirst, 1u);
  ASSERT_EQ(reused.size(), 2u);
  EXPECT_FALSE(reused[0]);
  EXPECT_TRUE(reused[1]);
}

// Writes chunks until paused; stops after `total` bytes, then closes.
class Streamer : public PushProducer {
 public:
  Streamer(Transport& t, size_t total) : t_(t), total_(total) {}
  void pauseProducing() override {
    paused_ = true;
    ++pauses;
  }
  void resumeProducing() override {
    paused_ = false;
    while (!paused_ && !stopped_ && sent < total_) {
      t_.write(chunk_);
      sent += chunk_.size();
      maxBuffered = std::max(maxBuffered, t_.bufferedBytes());
    }
    if (sent >= total_ && !stopped_) {
      stopped_ = true;
      t_.unregisterProducer();
      t_.loseConnection();
    }
  }
  void stopProducing() override { stopped_ = true; }
  size_t sent = 0, maxBuffered = 0;
  int pauses = 0;

 private:
  Transport& t_;
  size_t total_;
  std::string chunk_ = pattern(16 * 1024, 3);
  bool paused_ = false, stopped_ = false;
};

TEST_P(TlsTest, ProducersAndReadPausingWorkThroughTls) {
  constexpr size_t kTotal = 24 * 1024 * 1024;  // more than loopback's socket buffers hold
  std::unique_ptr<Streamer> streamer;
  server.configure = [&](ScriptedProtocol& p) {
    p.onMade = [&](ScriptedProtocol& self) {
      tlsOf(self).whenHandshakeDone([&] {
        streamer = std::make_unique<Streamer>(*self.transport, kTotal);
        self.transport->registerProducer(*streamer);
        streamer->resumeProducing();
      });
    };
  };
  size_t atPause = 0, atResume = 0;
  bool pausedClient = false;
  client.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      if (pausedClient) return;
      pausedClient = true;
      atPause = self.log().received.size();
      self.transport->pauseProducing();
      when([&] { return streamer && streamer->pauses > 0; },
           [&] {
             atResume = self.log().received.size();
             self.transport->resumeProducing();
           });
    };
  };
  connect(listen());
  stopWhen([&] { return client.totalLost() == 1 && server.totalLost() == 1; });
  ASSERT_TRUE(runReactor(Duration(60)));
  ASSERT_TRUE(streamer);
  EXPECT_GE(streamer->pauses, 1);
  EXPECT_LT(streamer->maxBuffered, 512u * 1024) << "the producer was not paused by TLS's buffer";
  EXPECT_EQ(atResume, atPause) << "data was delivered while reading was paused";
  EXPECT_EQ(client.logs[0]->received.size(), kTotal);
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
}

TEST_P(TlsTest, StartTlsUpgradesALivePlaintextConnection) {
  auto serverCtx = ServerContext::create(serverOptions());
  auto clientCtx = ClientContext::create(clientOptions());
  bool secondStartThrew = false;
  server.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol& self, std::string_view d) {
      if (tlsOf(self).tlsStarted()) {
        self.transport->write(d);
        return;
      }
      if (self.log().received != "STARTTLS\n") return;
      self.transport->write("GO\n");  // in the clear, before TLS starts
      tls::startTLS(*self.transport, serverCtx);
      try {
        tls::startTLS(*self.transport, serverCtx);
      } catch (const Error& e) {
        secondStartThrew = e.kind() == ErrorKind::InvalidArgument;
      }
    };
  };
  bool handshook = false;
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("STARTTLS\n"); };
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      if (!tlsOf(self).tlsStarted() && self.log().received == "GO\n") {
        tls::startTLS(*self.transport, clientCtx);
        self.transport->write("secret");  // queued until the handshake ends
      } else if (self.log().received == "GO\nsecret") {
        handshook = tlsOf(self).handshakeDone();
        self.transport->loseConnection();
      }
    };
  };
  tls::TlsFactory serverWrap(*reactor, server), clientWrap(*reactor, client);
  auto port = reactor->listenTCP(0, serverWrap);
  reactor->connectTCP("127.0.0.1", port->getHost().port(), clientWrap);
  stopWhen([&] { return client.totalLost() == 1 && server.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_TRUE(handshook);
  EXPECT_TRUE(secondStartThrew);
  EXPECT_EQ(server.logs[0]->received, "STARTTLS\nsecret");
  EXPECT_EQ(client.logs[0]->received, "GO\nsecret");
  EXPECT_EQ(kindOf(client, 0), ErrorKind::ConnectionDone) << messageOf(client, 0);
  EXPECT_EQ(kindOf(server, 0), ErrorKind::ConnectionDone) << messageOf(server, 0);
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(TlsTest);

}  // namespace
}  // namespace weft::test

#else

TEST(UnitTls, UnavailableInThisBuild) {
  GTEST_SKIP() << "TLS unavailable: " << weft::tls::tlsUnavailableReason();
}

#endif
