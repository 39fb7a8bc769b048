// kvcache: one test per command, plus the error replies and the bounds.
#include "example_test.hpp"

namespace weft::test {
namespace {

class KvCacheTest : public ExampleTest {
 protected:
  void SetUp() override { server = startServer(WEFT_EXAMPLE_KVCACHE_SERVER, {"--max-items", "3"}); }
  void TearDown() override {
    expectCleanStop(*server.process);
    ExampleTest::TearDown();
  }
  // Sends one command line and returns the one-line reply.
  std::string ask(TcpClient& client, const std::string& command) {
    client.sendLine(command);
    return client.readLine().value_or("<no reply>");
  }
  Server server;
};

TEST_P(KvCacheTest, Version) {
  TcpClient c(server.port);
  EXPECT_EQ(ask(c, "version"), "VERSION kvcache 1.0");
}

TEST_P(KvCacheTest, Count) {
  TcpClient c(server.port);
  EXPECT_EQ(ask(c, "count"), "COUNT 0");
  ask(c, "set a 1");
  ask(c, "set b 2");
  ask(c, "set a 3");  // overwrite: still two items
  EXPECT_EQ(ask(c, "count"), "COUNT 2");
}

TEST_P(KvCacheTest, Clear) {
  TcpClient c(server.port);
  ask(c, "set a 1");
  ask(c, "set b 2");
  EXPECT_EQ(ask(c, "clear"), "CLEARED");
  EXPECT_EQ(ask(c, "count"), "COUNT 0");
  EXPECT_EQ(ask(c, "get a"), "NOT_FOUND");
}

TEST_P(KvCacheTest, Items) {
  TcpClient c(server.port);
  EXPECT_EQ(ask(c, "items"), "END");
  ask(c, "set zebra 1");
  ask(c, "set apple 2");
  EXPECT_EQ(ask(c, "items"), "ITEM apple");
  EXPECT_EQ(c.readLine(), "ITEM zebra");
  EXPECT_EQ(c.readLine(), "END");
}

TEST_P(KvCacheTest, Status) {
  TcpClient c(server.port);
  TcpClient other(server.port);
  ask(other, "version");  // the server has certainly accepted both connections now
  ask(c, "set k v");
  ask(c, "get k");
  ask(c, "get missing");
  ask(c, "delete k");
  EXPECT_EQ(ask(c, "status"),
            "STATUS items=0 gets=2 hits=1 misses=1 sets=1 deletes=1 connections=2");
}

TEST_P(KvCacheTest, Get) {
  TcpClient c(server.port);
  EXPECT_EQ(ask(c, "get greeting"), "NOT_FOUND");
  EXPECT_EQ(ask(c, "set greeting hello, world  with spaces"), "STORED");
  EXPECT_EQ(ask(c, "get greeting"), "VALUE greeting hello, world  with spaces");
  // The cache is shared by every connection.
  TcpClient other(server.port);
  EXPECT_EQ(ask(other, "get greeting"), "VALUE greeting hello, world  with spaces");
}

TEST_P(KvCacheTest, Set) {
  TcpClient c(server.port);
  EXPECT_EQ(ask(c, "set k first"), "STORED");
  EXPECT_EQ(ask(c, "set k second"), "STORED");
  EXPECT_EQ(ask(c, "get k"), "VALUE k second");
  EXPECT_EQ(ask(c, "set empty"), "STORED");  // an empty value is a value
  EXPECT_EQ(ask(c, "get empty"), "VALUE empty ");
  // --max-items 3 bounds the cache; overwriting an existing key still works when full.
  EXPECT_EQ(ask(c, "set third 3"), "STORED");
  EXPECT_EQ(ask(c, "set fourth 4"), "SERVER_ERROR cache full");
  EXPECT_EQ(ask(c, "set k third"), "STORED");
}

TEST_P(KvCacheTest, Delete) {
  TcpClient c(server.port);
  ask(c, "set k v");
  EXPECT_EQ(ask(c, "delete k"), "DELETED");
  EXPECT_EQ(ask(c, "delete k"), "NOT_FOUND");
  EXPECT_EQ(ask(c, "get k"), "NOT_FOUND");
}

TEST_P(KvCacheTest, ErrorsAndBounds) {
  TcpClient c(server.port);
  for (const char* bad : {"flush_all", "VERSION", "count 1", "", "stats"})
    EXPECT_EQ(ask(c, bad), "ERROR unknown command or wrong arguments") << bad;
  const std::string tooLongKey = "get " + std::string(251, 'k');  // memcached allows 250
  for (const std::string& bad : {std::string("get"), std::string("get two words"),
                                 std::string("delete"), std::string("set"), tooLongKey})
    EXPECT_EQ(ask(c, bad), "ERROR bad key") << bad;
  EXPECT_EQ(ask(c, "set " + std::string(250, 'k') + " ok"), "STORED");  // the longest key
  c.sendLine("set big " + std::string(5000, 'v'));
  EXPECT_EQ(c.readLine(), "ERROR line too long");
  EXPECT_TRUE(c.closedByPeer());
}

WEFT_FOR_EVERY_REACTOR(KvCacheTest);

}  // namespace
}  // namespace weft::test
