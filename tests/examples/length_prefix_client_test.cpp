// length-prefix-client, against a server written here with plain sockets so the bytes on
// the wire are checked exactly: "hello" behind 05 00 00 00 (4-byte little-endian length).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "example_test.hpp"

namespace weft::test {
namespace {

// One listening socket on 127.0.0.1; accept() waits at most kIoTimeout.
class PlainServer {
 public:
  PlainServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) < 0 || listen(fd_, 1) < 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) < 0)
      throw std::runtime_error("cannot listen");
    port = ntohs(sa.sin_port);
  }
  ~PlainServer() { close(fd_); }
  // The accepted connection's fd, or -1 on timeout.
  int accept() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(kIoTimeout.count() * 1000)) != 1) return -1;
    return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }
  uint16_t port = 0;

 private:
  int fd_ = -1;
};

// Reads exactly n bytes from fd (or less on EOF/timeout).
std::string readFrom(int fd, size_t n) {
  std::string out;
  char buf[256];
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(kIoTimeout.count() * 1000)) != 1) break;
    ssize_t got = recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

// What both clients (callbacks and coroutine) must do on the wire: connect, send "hello" with
// its 4-byte little-endian prefix, print a reply that is not an echo and arrives split across
// two writes (framing and printing), then hang up. Returns the server's side of the connection,
// or -1 if the client never connected.
template <class Client>
int helloExchange(PlainServer& server, Client& client) {
  int conn = server.accept();
  if (conn < 0) return conn;
  EXPECT_EQ(readFrom(conn, 9), std::string("\x05\x00\x00\x00hello", 9));
  std::string reply = std::string("\x0b\x00\x00\x00", 4) + "hi, client!";
  send(conn, reply.data(), 6, MSG_NOSIGNAL);
  send(conn, reply.data() + 6, reply.size() - 6, MSG_NOSIGNAL);
  EXPECT_EQ(client.readLine(), "received: hi, client!");
  EXPECT_EQ(readFrom(conn, 1), "") << "the client should hang up after the reply";
  return conn;
}

class LengthPrefixClientTest : public ExampleTest {};

TEST_P(LengthPrefixClientTest, SendsHelloPrintsTheReplyAndDisconnects) {
  PlainServer server;
  auto client =
      startProgram(WEFT_EXAMPLE_LENGTH_PREFIX_CLIENT, {"--port", std::to_string(server.port)});
  int conn = helloExchange(server, *client);
  ASSERT_GE(conn, 0) << "the client never connected";
  auto lost = client->readLine().value_or("");
  EXPECT_TRUE(lost.starts_with("disconnected: ConnectionDone")) << lost;
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  close(conn);
}

TEST_P(LengthPrefixClientTest, ReportsAFailedConnection) {
  RefusingPort refusing;
  auto client =
      startProgram(WEFT_EXAMPLE_LENGTH_PREFIX_CLIENT, {"--port", std::to_string(refusing.port())});
  auto line = client->readLine().value_or("");
  EXPECT_TRUE(line.starts_with("connection to 127.0.0.1:" + std::to_string(refusing.port()) +
                               " failed: ConnectionRefused"))
      << line;
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << describeStatus(status);
}

WEFT_FOR_EVERY_REACTOR(LengthPrefixClientTest);

// The coroutine version: the same bytes on the wire; a missing reply and a refused connection
// arrive as failures at its co_awaits (exit 1, the failure's type named).
class LengthPrefixCoroClientTest : public ExampleTest {};

TEST_P(LengthPrefixCoroClientTest, SendsHelloAwaitsTheReplyAndDisconnects) {
  PlainServer server;
  auto client =
      startProgram(WEFT_EXAMPLE_LENGTH_PREFIX_CORO_CLIENT, {"--port", std::to_string(server.port)});
  int conn = helloExchange(server, *client);
  ASSERT_GE(conn, 0) << "the client never connected";
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  close(conn);
}

TEST_P(LengthPrefixCoroClientTest, AMissingReplyTimesOut) {
  PlainServer server;
  auto client = startProgram(WEFT_EXAMPLE_LENGTH_PREFIX_CORO_CLIENT,
                             {"--port", std::to_string(server.port), "--timeout", "0.2"});
  int conn = server.accept();
  ASSERT_GE(conn, 0) << "the client never connected";
  auto line = client->readLine().value_or("");
  EXPECT_TRUE(line.starts_with("failed: weft::TimedOutError")) << line;
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << describeStatus(status);
  close(conn);
}

TEST_P(LengthPrefixCoroClientTest, AClosedConnectionIsAFailureNotAHang) {
  PlainServer server;
  auto client =
      startProgram(WEFT_EXAMPLE_LENGTH_PREFIX_CORO_CLIENT, {"--port", std::to_string(server.port)});
  int conn = server.accept();
  ASSERT_GE(conn, 0) << "the client never connected";
  close(conn);
  auto line = client->readLine().value_or("");
  EXPECT_TRUE(line.starts_with("failed: weft::ConnectionClosedError")) << line;
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << describeStatus(status);
}

WEFT_FOR_EVERY_REACTOR(LengthPrefixCoroClientTest);

}  // namespace
}  // namespace weft::test
