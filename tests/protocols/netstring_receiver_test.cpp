// Twisted's NetstringReceiverTests plus the results table of docs/twisted-semantics.md §1.4,
// every input also fed at chunk sizes 1..9.
#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <vector>

#include "support.hpp"
#include "weft/protocols/framing.hpp"
#include "weft/protocols/netstring_receiver.hpp"

namespace weft {
namespace {

using Strings = std::vector<std::string>;
using test::feedChunks;
using testing::StringTransport;

// Twisted's TestNetstring: MAX_LENGTH 50, records and echoes each string.
class TestNetstring : public NetstringReceiver {
 public:
  TestNetstring() : NetstringReceiver(50) {}
  void stringReceived(std::string_view s) override {
    received.emplace_back(s);
    transport->write(s);
  }
  void netstringParseError(std::string_view why) override {
    errors.emplace_back(why);
    NetstringReceiver::netstringParseError(why);
  }
  Strings received;
  Strings errors;
};

struct Fed {
  Strings received;
  bool disconnected;
  size_t errors;
};

Fed feed(std::string_view data, size_t chunk, size_t maxLength = 50) {
  StringTransport t;
  TestNetstring p;
  p.maxLength = maxLength;
  p.makeConnection(t);
  feedChunks(p, data, chunk);
  EXPECT_EQ(p.brokenPeer(), t.disconnecting());
  return {p.received, t.disconnecting(), p.errors.size()};
}

class NetstringChunkSize : public ::testing::TestWithParam<size_t> {};
INSTANTIATE_TEST_SUITE_P(OneToNine, NetstringChunkSize, ::testing::Range<size_t>(1, 10));

TEST_P(NetstringChunkSize, Buffer) {
  const Strings strings{"hello", "world", "how", "are", "you123", ":today", std::string(515, 'a')};
  StringTransport t;
  TestNetstring a;
  a.maxLength = 699;
  a.makeConnection(t);
  for (auto& s : strings) a.sendString(s);
  std::string out = t.take();
  feedChunks(a, out, GetParam());
  EXPECT_EQ(a.received, strings);
}

TEST(Netstring, IllegalFedOneByteAtATime) {
  for (std::string s : {"9999999999999999999999", "abc", "4:abcde",
                        "51:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab,"}) {
    StringTransport t;
    TestNetstring r;
    r.makeConnection(t);
    test::feedBytes(r, s);
    EXPECT_TRUE(t.disconnecting()) << s;
    EXPECT_TRUE(r.received.empty()) << s;
  }
}

TEST_P(NetstringChunkSize, Receiving) {
  EXPECT_EQ(feed("0:,", GetParam()).received, Strings{""});
  EXPECT_EQ(feed("1:a,", GetParam()).received, Strings{"a"});
  EXPECT_EQ(feed("2:ab,", GetParam()).received, Strings{"ab"});
  EXPECT_EQ(feed("4:1:a,,", GetParam()).received, Strings{"1:a,"});  // nested
}

TEST_P(NetstringChunkSize, MustDisconnect) {
  for (std::string s : {"2:aaa,", "0:a,", ":aaa,", "3aaa,", "aaa,", "aaa"}) {
    Fed f = feed(s, GetParam());
    EXPECT_TRUE(f.disconnected) << s;
    EXPECT_TRUE(f.received.empty()) << s;
    EXPECT_EQ(f.errors, 1u) << s;
  }
}

TEST(Netstring, Portions) {
  auto run = [](Strings parts) {
    StringTransport t;
    TestNetstring p;
    p.makeConnection(t);
    for (auto& part : parts) p.dataReceived(part);
    EXPECT_FALSE(t.disconnecting());
    return p.received;
  };
  EXPECT_EQ(run({"4:aa", "aa,"}), Strings{"aaaa"});
  EXPECT_EQ(run({"1", "0:01234", "56789", ","}), Strings{"0123456789"});
  EXPECT_EQ(run({"2", ":", "a", "b", ","}), Strings{"ab"});
  EXPECT_EQ(run({"1:a,1", ":b,"}), (Strings{"a", "b"}));
}

TEST_P(NetstringChunkSize, MaxReceiveLimit) {
  Fed f = feed("51:" + std::string(51, 'a'), GetParam());
  EXPECT_TRUE(f.disconnected);
  EXPECT_TRUE(f.received.empty());
}

TEST_P(NetstringChunkSize, ConsumeLengthBorderCases) {
  EXPECT_FALSE(feed("12:", GetParam(), 12).disconnected);
  EXPECT_EQ(feed("12:abcdefghijkl,", GetParam(), 12).received, Strings{"abcdefghijkl"});
  EXPECT_TRUE(feed("12:", GetParam(), 11).disconnected);
  EXPECT_TRUE(feed("1000:", GetParam(), 11).disconnected);
}

TEST_P(NetstringChunkSize, ResultsTable) {
  const size_t c = GetParam();
  const size_t kMax = NetstringReceiver::kDefaultMaxLength;
  EXPECT_EQ(feed("0:,", c, kMax).received, Strings{""});
  EXPECT_EQ(feed("3:abc,", c, kMax).received, Strings{"abc"});
  EXPECT_TRUE(feed("007:abc,", c, kMax).disconnected);
  EXPECT_TRUE(feed("3:abcd,", c, kMax).disconnected);
  EXPECT_TRUE(feed("3:abc;", c, kMax).disconnected);
  EXPECT_TRUE(feed("abc", c, kMax).disconnected);
  Fed f = feed("1:a,1:b,x", c, kMax);
  EXPECT_EQ(f.received, (Strings{"a", "b"}));
  EXPECT_TRUE(f.disconnected);
  EXPECT_TRUE(feed("1000000", c, kMax).disconnected);  // no colon yet
  EXPECT_TRUE(feed("100000", c, kMax).disconnected);
  EXPECT_FALSE(feed("99999:", c, kMax).disconnected);
  EXPECT_FALSE(feed("9999", c, kMax).disconnected);  // a partial, legal length waits
}

TEST(Netstring, SendString) {
  test::RecordingTransport t;
  TestNetstring p;
  p.makeConnection(t);
  p.sendString("abc");
  p.sendString("");
  EXPECT_EQ(t.writes, (Strings{"3:abc,", "0:,"}));
  EXPECT_EQ(frameNetstring("abc"), "3:abc,");
}

TEST(Netstring, ErrorIsReportedOnceAndTheRestIsDropped) {
  // Twisted re-parses the bad bytes on every later chunk; weft reports once and discards.
  StringTransport t;
  TestNetstring p;
  p.makeConnection(t);
  p.dataReceived("x");
  p.dataReceived("1:a,");
  p.dataReceived("2:bb,");
  EXPECT_EQ(p.errors.size(), 1u);
  EXPECT_TRUE(p.received.empty());
  EXPECT_EQ(p.stats().bytesBuffered, 0u);
}

TEST(Netstring, Pausing) {
  class Pausing : public NetstringReceiver {
   public:
    void stringReceived(std::string_view s) override {
      received.emplace_back(s);
      pauseProducing();
    }
    Strings received;
  };
  Pausing p;
  p.dataReceived("1:a,1:b,1:c,");
  EXPECT_EQ(p.received, Strings{"a"});
  p.resumeProducing();
  p.resumeProducing();
  EXPECT_EQ(p.received, (Strings{"a", "b", "c"}));
}

}  // namespace
}  // namespace weft
