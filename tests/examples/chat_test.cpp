// chat: the name state machine, joins, messages to the others only, leaves.
#include "example_test.hpp"

namespace weft::test {
namespace {

class ChatTest : public ExampleTest {
 protected:
  // Connects and takes `name`, which must be free.
  static void join(TcpClient& client, const std::string& name) {
    ASSERT_EQ(client.readLine(), "What's your name?");
    client.sendLine(name);
    ASSERT_EQ(client.readLine(), "Welcome, " + name + "!");
  }
};

TEST_P(ChatTest, NamesJoinsMessagesAndLeaves) {
  auto server = startServer(WEFT_EXAMPLE_CHAT_SERVER);
  TcpClient alice(server.port);
  join(alice, "alice");

  TcpClient bob(server.port);
  EXPECT_EQ(bob.readLine(), "What's your name?");
  bob.sendLine("alice");
  EXPECT_EQ(bob.readLine(), "Name taken, please choose another.");
  bob.sendLine("");
  EXPECT_EQ(bob.readLine(),
            "Names are 1 to 32 printable characters without spaces. What's your name?");
  bob.sendLine("bob");
  EXPECT_EQ(bob.readLine(), "Welcome, bob!");
  EXPECT_EQ(alice.readLine(), "* bob has joined");

  // Carol has not chosen a name yet, so she is not in the room and hears nothing.
  TcpClient carol(server.port);
  EXPECT_EQ(carol.readLine(), "What's your name?");

  bob.sendLine("hi alice");
  EXPECT_EQ(alice.readLine(), "<bob> hi alice");
  alice.sendLine("hi bob");
  // Bob's next line is Alice's: his own message was not sent back to him.
  EXPECT_EQ(bob.readLine(), "<alice> hi bob");

  carol.sendLine("carol");
  EXPECT_EQ(carol.readLine(), "Welcome, carol!");  // not a relayed message
  EXPECT_EQ(alice.readLine(), "* carol has joined");
  EXPECT_EQ(bob.readLine(), "* carol has joined");

  bob.close();
  EXPECT_EQ(alice.readLine(), "* bob has left");
  EXPECT_EQ(carol.readLine(), "* bob has left");

  // Bob's name is free again.
  TcpClient bob2(server.port);
  join(bob2, "bob");
  expectCleanStop(*server.process);
}

TEST_P(ChatTest, AnOverlongLineClosesTheConnection) {
  auto server = startServer(WEFT_EXAMPLE_CHAT_SERVER);
  TcpClient client(server.port);
  EXPECT_EQ(client.readLine(), "What's your name?");
  client.sendLine(std::string(5000, 'x'));
  EXPECT_TRUE(client.closedByPeer());
  expectCleanStop(*server.process);
}

WEFT_FOR_EVERY_REACTOR(ChatTest);

}  // namespace
}  // namespace weft::test
