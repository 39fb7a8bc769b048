// Twisted's LineOnlyReceiverTests, plus the behaviour LineOnlyReceiver shares with
// LineReceiver in weft (the #3353 / #6558 fixes are in twisted_bugs_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "support.hpp"
#include "weft/protocols/line_only_receiver.hpp"

namespace weft {
namespace {

using Strings = std::vector<std::string>;
using test::feedChunks;
using testing::StringTransport;

class LineOnlyTester : public LineOnlyReceiver {
 public:
  LineOnlyTester() : LineOnlyReceiver("\n", 64) {}
  void connectionMade() override { received.clear(); }
  void lineReceived(std::string_view line) override {
    received.emplace_back(line);
    if (line == "quit") transport->loseConnection();
    if (line == "inject") dataReceived("injected\n");
  }
  void lineLengthExceeded(std::string_view line) override {
    tooLong.emplace_back(line);
    LineOnlyReceiver::lineLengthExceeded(line);
  }
  Strings received;
  Strings tooLong;
};

class LineOnlyChunkSize : public ::testing::TestWithParam<size_t> {};
INSTANTIATE_TEST_SUITE_P(OneToNine, LineOnlyChunkSize, ::testing::Range<size_t>(1, 10));

const std::string kBuffer =
    "foo\n"
    "    bleakness\n"
    "    desolation\n"
    "    plastic forks\n"
    "    ";

TEST(LineOnlyReceiver, Buffer) {
  StringTransport t;
  LineOnlyTester a;
  a.makeConnection(t);
  test::feedBytes(a, kBuffer);
  EXPECT_EQ(a.received, (Strings{"foo", "    bleakness", "    desolation", "    plastic forks"}));
}

TEST_P(LineOnlyChunkSize, Buffer) {
  StringTransport t;
  LineOnlyTester a;
  a.makeConnection(t);
  feedChunks(a, kBuffer, GetParam());
  EXPECT_EQ(a.received, (Strings{"foo", "    bleakness", "    desolation", "    plastic forks"}));
}

TEST_P(LineOnlyChunkSize, GreaterThanMaximumLineLength) {
  StringTransport t;
  LineOnlyTester p;
  p.makeConnection(t);
  feedChunks(p, std::string(p.maxLength + 1 + 1, 'x') + "\r\nr", GetParam());
  EXPECT_TRUE(t.disconnecting());
  EXPECT_TRUE(p.received.empty());
}

TEST_P(LineOnlyChunkSize, NothingDeliveredAfterLoseConnection) {
  StringTransport t;
  LineOnlyTester p;
  p.makeConnection(t);
  feedChunks(p, "a\nquit\nb\n", GetParam());
  EXPECT_EQ(p.received, (Strings{"a", "quit"}));
}

TEST_P(LineOnlyChunkSize, ReentrantDataReceivedOnlyQueues) {
  StringTransport t;
  LineOnlyTester p;
  p.makeConnection(t);
  p.dataReceived("inject\nnext\n");
  EXPECT_EQ(p.received, (Strings{"inject", "next", "injected"}));
  LineOnlyTester q;
  q.makeConnection(t);
  feedChunks(q, "inject\nnext\n", GetParam());
  EXPECT_EQ(q.received.size(), 3u);
}

TEST(LineOnlyReceiver, SendLineIsOneWrite) {
  test::RecordingTransport t;
  LineOnlyTester p;
  p.makeConnection(t);
  p.sendLine("hi");
  EXPECT_EQ(t.writes, Strings{"hi\n"});
}

TEST(LineOnlyReceiver, EmptyLinesAndDefaultDelimiter) {
  class Plain : public LineOnlyReceiver {
   public:
    void lineReceived(std::string_view line) override { lines.emplace_back(line); }
    Strings lines;
  };
  Plain p;
  p.dataReceived("\r\n\r\nab\r");
  p.dataReceived("\ncd");
  EXPECT_EQ(p.lines, (Strings{"", "", "ab"}));
  EXPECT_EQ(p.stats().bytesBuffered, 2u);
}

}  // namespace
}  // namespace weft
