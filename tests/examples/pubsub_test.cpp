// pubsub: each line reaches every other client, prefixed with the sender's address, and
// never comes back to its sender.
#include "example_test.hpp"

namespace weft::test {
namespace {

class PubSubTest : public ExampleTest {};

TEST_P(PubSubTest, LinesGoToAllOthersWithTheSendersAddress) {
  auto server = startServer(WEFT_EXAMPLE_PUBSUB_SERVER);
  // pubsub says nothing on connect, so each newcomer announces itself and waits until the
  // others heard it: then the server has registered everyone.
  TcpClient a(server.port);
  TcpClient b(server.port);
  std::string atA = "<" + a.localAddress() + "> ";
  std::string atB = "<" + b.localAddress() + "> ";
  b.sendLine("b is here");
  ASSERT_EQ(a.readLine(), atB + "b is here");
  TcpClient c(server.port);
  std::string atC = "<" + c.localAddress() + "> ";
  c.sendLine("c is here");
  ASSERT_EQ(a.readLine(), atC + "c is here");
  ASSERT_EQ(b.readLine(), atC + "c is here");

  a.sendLine("hello from a");
  EXPECT_EQ(b.readLine(), atA + "hello from a");
  EXPECT_EQ(c.readLine(), atA + "hello from a");
  b.sendLine("hello from b");
  // a's next line is b's: its own was not echoed.
  EXPECT_EQ(a.readLine(), atB + "hello from b");
  EXPECT_EQ(c.readLine(), atB + "hello from b");

  a.close();
  c.sendLine("a has gone");
  EXPECT_EQ(b.readLine(), atC + "a has gone");
  expectCleanStop(*server.process);
}

WEFT_FOR_EVERY_REACTOR(PubSubTest);

}  // namespace
}  // namespace weft::test
