// command-server: hello / goodbye / write: into the operator's file only, bounded lines; and
// the threaded stdin client with reconnect.
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "example_test.hpp"

namespace weft::test {
namespace {

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CommandServerTest : public ExampleTest {
 protected:
  void SetUp() override {
    file = scratchFile("messages.txt");
    server = startServer(WEFT_EXAMPLE_COMMAND_SERVER, {"--file", file});
  }
  std::string file;
  Server server;
};

TEST_P(CommandServerTest, HelloWriteGoodbye) {
  TcpClient client(server.port);
  client.sendLine("hello");
  EXPECT_EQ(client.readLine(), "Hello there!");
  client.sendLine("write: first message");
  EXPECT_EQ(client.readLine(), "Message saved!");
  client.sendLine("write:second");
  EXPECT_EQ(client.readLine(), "Message saved!");
  client.sendLine("goodbye");
  EXPECT_EQ(client.readLine(), "Goodbye!");
  EXPECT_TRUE(client.closedByPeer());
  EXPECT_EQ(contents(file), "first message\nsecond\n");
  expectCleanStop(*server.process);
}

TEST_P(CommandServerTest, ClientsChooseTheTextNeverTheFile) {
  TcpClient client(server.port);
  // Anything but the three commands is refused; a path in write: is just text.
  for (const char* attempt : {"read /etc/passwd", "file /tmp/x", "!sh -c id", "HELLO"}) {
    client.sendLine(attempt);
    EXPECT_EQ(client.readLine(), "Unknown command (try hello, goodbye or write: <text>)")
        << attempt;
  }
  client.sendLine("write: /etc/passwd");
  EXPECT_EQ(client.readLine(), "Message saved!");
  // A lone LF inside a CRLF line would forge a second line in the file.
  client.send("write: one\nforged\r\n");
  EXPECT_EQ(client.readLine(), "Message refused: control characters");
  EXPECT_EQ(contents(file), "/etc/passwd\n");
  expectCleanStop(*server.process);
}

TEST_P(CommandServerTest, AnOverlongLineIsRefusedAndCloses) {
  TcpClient client(server.port);
  client.sendLine("write: " + std::string(1024, 'x'));
  EXPECT_EQ(client.readLine(), "Line too long (at most 1024 bytes)");
  EXPECT_TRUE(client.closedByPeer());
  EXPECT_EQ(contents(file), "");
  // Exactly the limit is fine.
  TcpClient second(server.port);
  second.sendLine("write: " + std::string(1024 - 7, 'y'));
  EXPECT_EQ(second.readLine(), "Message saved!");
  expectCleanStop(*server.process);
}

TEST_P(CommandServerTest, ThreadedClientSendsStdinAndReconnects) {
  auto client = startProgram(WEFT_EXAMPLE_COMMAND_CLIENT, {"--port", std::to_string(server.port)});
  std::string peer = "127.0.0.1:" + std::to_string(server.port);
  EXPECT_EQ(client->readLine(), "connected to " + peer);
  client->writeStdin("hello\n");
  EXPECT_EQ(client->readLine(), "server: Hello there!");
  client->writeStdin("write: typed on stdin\n");
  EXPECT_EQ(client->readLine(), "server: Message saved!");
  client->writeStdin("goodbye\n");
  EXPECT_EQ(client->readLine(), "server: Goodbye!");
  auto lost = client->readLine().value_or("");
  EXPECT_TRUE(lost.starts_with("disconnected: ConnectionDone")) << lost;
  client->writeStdin("hello\n");
  EXPECT_EQ(client->readLine(), "not connected (type reconnect)");
  client->writeStdin("reconnect\n");
  EXPECT_EQ(client->readLine(), "connected to " + peer);
  // Reconnecting while connected drops the connection and connects again.
  client->writeStdin("reconnect\n");
  lost = client->readLine().value_or("");
  EXPECT_TRUE(lost.starts_with("disconnected: ")) << lost;
  EXPECT_EQ(client->readLine(), "connected to " + peer);
  client->writeStdin("hello\n");
  EXPECT_EQ(client->readLine(), "server: Hello there!");
  client->writeStdin("quit\n");
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  EXPECT_EQ(contents(file), "typed on stdin\n");
  expectCleanStop(*server.process);
}

TEST_P(CommandServerTest, ThreadedClientStopsOnSigtermAndEndOfInput) {
  std::vector<std::string> args = {"--port", std::to_string(server.port)};
  auto first = startProgram(WEFT_EXAMPLE_COMMAND_CLIENT, args);
  EXPECT_TRUE(first->readLine().value_or("").starts_with("connected to "));
  expectCleanStop(*first);  // the main thread is blocked on stdin: it must still exit

  auto second = startProgram(WEFT_EXAMPLE_COMMAND_CLIENT, args);
  EXPECT_TRUE(second->readLine().value_or("").starts_with("connected to "));
  second->closeStdin();
  auto status = second->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  expectCleanStop(*server.process);
}

TEST_P(CommandServerTest, ThreadedClientReportsARefusedConnection) {
  RefusingPort refusing;
  auto client =
      startProgram(WEFT_EXAMPLE_COMMAND_CLIENT, {"--port", std::to_string(refusing.port())});
  auto line = client->readLine().value_or("");
  EXPECT_TRUE(line.starts_with("connection failed: ConnectionRefused")) << line;
  client->writeStdin("hello\n");
  EXPECT_EQ(client->readLine(), "not connected (type reconnect)");
  client->writeStdin("quit\n");
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  expectCleanStop(*server.process);
}

WEFT_FOR_EVERY_REACTOR(CommandServerTest);

}  // namespace
}  // namespace weft::test
