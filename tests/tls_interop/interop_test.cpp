// weft's TLS against OpenSSL's own peers: `openssl s_server` and `openssl s_client` as child
// processes on 127.0.0.1, in both directions, with close_notify from each side and a peer
// killed mid-connection (so it sends no close_notify).
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>

#include "child_process.hpp"
#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"
#include "tls_certs.hpp"
#include "weft/tls/tls.hpp"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

bool haveOpenSslTool() {
  return std::system("openssl version > /dev/null 2>&1") == 0;
}

// An ephemeral port nobody holds right now (s_server needs a number up front).
uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class TlsInterop : public ReactorTest {
 protected:
  void SetUp() override {
    if (!haveOpenSslTool())
      GTEST_SKIP() << "the openssl command is not installed (Debian: openssl)";
    ReactorTest::SetUp();
  }
  std::unique_ptr<ChildProcess> sServer(uint16_t port) {
    auto c = std::make_unique<ChildProcess>(std::vector<std::string>{
        "openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
        testPki().serverCert, "-key", testPki().serverKey, "-rev", "-naccept", "1"});
    EXPECT_TRUE(c->waitFor("ACCEPT", 10s)) << c->output();
    return c;
  }
  std::unique_ptr<ChildProcess> sClient(uint16_t port) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{
        "openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-CAfile",
        testPki().caCert, "-verify_return_error", "-servername", "localhost"});
  }
  void connectTo(uint16_t port) {
    tls::ClientOptions o;
    o.caFile = testPki().caCert;
    o.serverName = "localhost";
    tls::connectSSL(*reactor, "127.0.0.1", port, client, tls::ClientContext::create(o));
  }
  uint16_t listen() {
    tls::ServerOptions o;
    o.certificate = {testPki().serverCert, testPki().serverKey};
    auto p = tls::listenSSL(*reactor, 0, server, tls::ServerContext::create(o));
    return p->getHost().port();
  }
  ErrorKind clientEnd() { return client.logs.at(0)->reasons.at(0).kind; }
  ErrorKind serverEnd() { return server.logs.at(0)->reasons.at(0).kind; }
  std::string clientWhy() { return client.logs.at(0)->reasons.at(0).describe(); }
  std::string serverWhy() { return server.logs.at(0)->reasons.at(0).describe(); }

  ScriptedFactory client, server;
};

bool has(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

TEST_P(TlsInterop, WeftClientSendsCloseNotifyToSServer) {
  const uint16_t port = freePort();
  auto peer = sServer(port);
  client.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("hello\n"); };
    p.onData = [](ScriptedProtocol& self, std::string_view) {
      if (has(self.log().received, "olleh")) self.transport->loseConnection();
    };
  };
  connectTo(port);
  stopWhen([&] { return client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_TRUE(has(client.logs[0]->received, "olleh"));
  EXPECT_EQ(clientEnd(), ErrorKind::ConnectionDone) << clientWhy();
  EXPECT_EQ(peer->waitExit(10s), 0) << peer->output();  // -naccept 1: done after us
}

TEST_P(TlsInterop, SServerCloseNotifyEndsTheWeftClientCleanly) {
  const uint16_t port = freePort();
  auto peer = sServer(port);
  client.configure = [](ScriptedProtocol& p) {
    // s_server -rev answers "CLOSE" with its close_notify.
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("hello\nCLOSE\n"); };
  };
  connectTo(port);
  stopWhen([&] { return client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_TRUE(has(client.logs[0]->received, "olleh"));
  EXPECT_EQ(clientEnd(), ErrorKind::ConnectionDone) << clientWhy();
}

TEST_P(TlsInterop, SServerKilledGivesTheWeftClientTruncation) {
  const uint16_t port = freePort();
  auto peer = sServer(port);
  client.configure = [&](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& self) { self.transport->write("hello\n"); };
    p.onData = [&](ScriptedProtocol& self, std::string_view) {
      if (has(self.log().received, "olleh")) peer->kill(SIGKILL);  // no close_notify
    };
  };
  connectTo(port);
  stopWhen([&] { return client.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(clientEnd(), ErrorKind::TlsTruncated) << clientWhy();
}

TEST_P(TlsInterop, SClientCloseNotifyEndsTheWeftServerCleanly) {
  server.configure = echo;
  const uint16_t port = listen();
  auto peer = sClient(port);
  when([&] { return has(peer->output(), "Verify return code: 0 (ok)"); },
       [&] { peer->write("ping\n"); });
  // s_client sends close_notify when its stdin ends.
  when([&] { return has(peer->output(), "ping"); }, [&] { peer->closeStdin(); });
  stopWhen([&] { return server.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(server.logs[0]->received, "ping\n");
  EXPECT_EQ(serverEnd(), ErrorKind::ConnectionDone) << serverWhy();
  EXPECT_EQ(peer->waitExit(10s), 0) << peer->output();
}

TEST_P(TlsInterop, WeftServerSendsCloseNotifyToSClient) {
  server.configure = [](ScriptedProtocol& p) {
    p.onData = [](ScriptedProtocol& self, std::string_view d) {
      self.transport->write(d);
      self.transport->loseConnection();
    };
  };
  const uint16_t port = listen();
  auto peer = sClient(port);
  when([&] { return has(peer->output(), "Verify return code: 0 (ok)"); },
       [&] { peer->write("ping\n"); });
  stopWhen([&] { return server.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(serverEnd(), ErrorKind::ConnectionDone) << serverWhy();
  // s_client saw our close_notify: it says "closed" and exits with its stdin still open.
  EXPECT_EQ(peer->waitExit(10s), 0) << peer->output();
  EXPECT_TRUE(has(peer->output(), "closed")) << peer->output();
}

TEST_P(TlsInterop, SClientKilledGivesTheWeftServerTruncation) {
  std::unique_ptr<ChildProcess> peer;
  server.configure = [&](ScriptedProtocol& p) {
    p.onData = [&](ScriptedProtocol&, std::string_view) { peer->kill(SIGKILL); };
  };
  const uint16_t port = listen();
  peer = sClient(port);
  when([&] { return has(peer->output(), "Verify return code: 0 (ok)"); },
       [&] { peer->write("ping\n"); });
  stopWhen([&] { return server.totalLost() == 1; });
  ASSERT_TRUE(runReactor());
  EXPECT_EQ(serverEnd(), ErrorKind::TlsTruncated) << serverWhy();
}

INSTANTIATE_TEST_SUITE_P(Epoll, TlsInterop, ::testing::Values(std::string("epoll")),
                         reactorParamName);

}  // namespace
}  // namespace weft::test
