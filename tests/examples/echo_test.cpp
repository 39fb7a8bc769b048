// echo: the server echoes over a plain socket; the client prints the echo and reports a
// refused connection through clientConnectionFailed.
#include <sys/wait.h>

#include "example_test.hpp"

namespace weft::test {
namespace {

class EchoTest : public ExampleTest {};

TEST_P(EchoTest, ServerEchoesEveryByte) {
  auto server = startServer(WEFT_EXAMPLE_ECHO_SERVER);
  TcpClient client(server.port);
  client.send("Hello, world!");
  EXPECT_EQ(client.read(13), "Hello, world!");
  // Larger than one read buffer, in chunks, with every byte value.
  std::string chunk;
  for (int i = 0; i < 16384; ++i) chunk.push_back(static_cast<char>(i * 7));
  for (int i = 0; i < 4; ++i) {
    client.send(chunk);
    ASSERT_EQ(client.read(chunk.size()), chunk) << "chunk " << i;
  }
  expectCleanStop(*server.process);
}

TEST_P(EchoTest, ClientPrintsTheEcho) {
  auto server = startServer(WEFT_EXAMPLE_ECHO_SERVER);
  auto client = startProgram(WEFT_EXAMPLE_ECHO_CLIENT, {"--port", std::to_string(server.port)});
  EXPECT_EQ(client->readLine(), "Server said: Hello, world!");
  auto lost = client->readLine().value_or("");
  EXPECT_TRUE(lost.starts_with("Connection lost: ConnectionDone")) << lost;
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  expectCleanStop(*server.process);
}

TEST_P(EchoTest, ClientReportsARefusedConnection) {
  RefusingPort refusing;
  auto client = startProgram(WEFT_EXAMPLE_ECHO_CLIENT, {"--port", std::to_string(refusing.port())});
  auto line = client->readLine().value_or("");
  EXPECT_TRUE(line.starts_with("Connection failed: ConnectionRefused")) << line;
  auto status = client->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << describeStatus(status);
}

WEFT_FOR_EVERY_REACTOR(EchoTest);

}  // namespace
}  // namespace weft::test
