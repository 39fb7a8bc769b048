// hello-bonjour: one process, one thread, two ports, two greetings.
#include "example_test.hpp"

namespace weft::test {
namespace {

class HelloBonjourTest : public ExampleTest {};

TEST_P(HelloBonjourTest, BothPortsAnswerAtOnce) {
  auto server = startServer(WEFT_EXAMPLE_HELLO_BONJOUR);
  uint16_t bonjourPort = parseListeningLine(server.process->readLine());
  ASSERT_NE(server.port, bonjourPort);

  // Both connections open before either is answered: one reactor serves both ports.
  TcpClient hello(server.port);
  TcpClient bonjour(bonjourPort);
  bonjour.send("monde");
  hello.send("world");
  EXPECT_EQ(hello.read(12), "Hello, world");
  EXPECT_EQ(bonjour.read(14), "Bonjour, monde");
  hello.send("again");
  EXPECT_EQ(hello.read(12), "Hello, again");
  expectCleanStop(*server.process);
}

WEFT_FOR_EVERY_REACTOR(HelloBonjourTest);

}  // namespace
}  // namespace weft::test
