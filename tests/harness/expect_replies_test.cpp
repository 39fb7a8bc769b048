// expectReplies: the judge of every scenario that compares a reply stream with what was sent.
// Each verdict it can give, on every framing, and the count of complete replies it reports.
#include <gtest/gtest.h>

#include "check/scenario.hpp"
#include "common/stop_report.hpp"

namespace weft::harness {

namespace {

std::string framed(const WireFormat& f, const std::vector<std::string>& msgs) {
  std::string out;
  for (const auto& m : msgs) appendFrame(out, f, m);
  return out;
}

const std::vector<std::string> kSent = {"alpha", "be", "gamma-delta"};
// One test per verdict, each over every framing (loops, not TEST_P: a process per test case
// costs more than the case under the sanitizers).
const Wire kFramed[] = {Wire::LenPrefix, Wire::Line, Wire::Netstring};

TEST(ExpectReplies, ExactRepliesPass) {
  for (Wire w : kFramed) {
    SCOPED_TRACE(wireName(w));
    WireFormat f = serveWire(w);
    size_t complete = 99;
    EXPECT_EQ(expectReplies(f, kSent, framed(f, kSent), &complete), "");
    EXPECT_EQ(complete, 3u);
  }
}

TEST(ExpectReplies, MissingRepliesAreCounted) {
  for (Wire w : kFramed) {
    SCOPED_TRACE(wireName(w));
    WireFormat f = serveWire(w);
    size_t complete = 99;
    std::string two = framed(f, {kSent[0], kSent[1]});
    EXPECT_EQ(expectReplies(f, kSent, two, &complete), "got 2 of 3 replies");
    EXPECT_EQ(complete, 2u);
    // Half of the third frame is still "2 of 3", not a malformed stream.
    std::string partial = framed(f, kSent);
    partial.resize(two.size() + 3);
    EXPECT_EQ(expectReplies(f, kSent, partial, &complete), "got 2 of 3 replies");
    EXPECT_EQ(expectReplies(f, kSent, "", &complete), "got 0 of 3 replies");
    EXPECT_EQ(complete, 0u);
  }
}

TEST(ExpectReplies, AChangedByteNamesTheReply) {
  for (Wire w : kFramed) {
    SCOPED_TRACE(wireName(w));
    WireFormat f = serveWire(w);
    std::vector<std::string> changed = kSent;
    changed[1][1] ^= 0x01;  // "be" -> "bd": same size
    size_t complete = 99;
    EXPECT_EQ(expectReplies(f, kSent, framed(f, changed), &complete),
              "reply 1 differs (2 bytes, expected 2)");
    EXPECT_EQ(complete, 1u);
  }
}

TEST(ExpectReplies, ReorderedRepliesFail) {
  for (Wire w : kFramed) {
    SCOPED_TRACE(wireName(w));
    WireFormat f = serveWire(w);
    std::vector<std::string> swapped = {kSent[1], kSent[0], kSent[2]};
    EXPECT_EQ(expectReplies(f, kSent, framed(f, swapped)), "reply 0 differs (2 bytes, expected 5)");
  }
}

TEST(ExpectReplies, AnExtraReplyFails) {
  for (Wire w : kFramed) {
    SCOPED_TRACE(wireName(w));
    WireFormat f = serveWire(w);
    std::vector<std::string> more = kSent;
    more.push_back("extra");
    size_t complete = 99;
    EXPECT_EQ(expectReplies(f, kSent, framed(f, more), &complete), "unexpected extra reply");
    EXPECT_EQ(complete, 3u);
  }
}

TEST(ExpectReplies, MalformedNetstringStream) {
  WireFormat f = serveWire(Wire::Netstring);
  EXPECT_EQ(expectReplies(f, kSent, "5:alpha,x:"), "malformed reply stream");
}

// Raw echo has no frames: the reply stream must equal the request stream byte for byte, and
// `complete` counts the messages fully echoed before the first problem.
TEST(ExpectReplies, EchoComparesTheByteStream) {
  WireFormat f = serveWire(Wire::Echo);
  size_t complete = 99;
  EXPECT_EQ(expectReplies(f, kSent, "alphabegamma-delta", &complete), "");
  EXPECT_EQ(complete, 3u);
  EXPECT_EQ(expectReplies(f, kSent, "alphabe", &complete), "got 7 of 18 bytes");
  EXPECT_EQ(complete, 2u);
  EXPECT_EQ(expectReplies(f, kSent, "alphaXegamma-delta", &complete), "echoed byte 5 differs");
  EXPECT_EQ(complete, 1u);
  EXPECT_EQ(expectReplies(f, kSent, "alphabegamma-delta!!", &complete), "got 2 extra bytes");
  EXPECT_EQ(expectReplies(f, kSent, "", &complete), "got 0 of 18 bytes");
  EXPECT_EQ(complete, 0u);
}

// The stop line `weft serve` writes when asked to stop, read back as stoppend and conc1000 do.
TEST(StopReport, RoundTripsAndTheLastLineWins) {
  std::string log = "some warning\n" + formatStopReport({"epoll", 12, 3}, false) + "\n" +
                    formatStopReport({"select", 4096, 1}, true) + "\n";
  auto r = findStopReport(log);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reactor, "select");
  EXPECT_EQ(r->messages, 4096u);
  EXPECT_EQ(r->connections, 1u);
  EXPECT_EQ(formatStopReport({"epoll", 12, 3}, false),
            "weft serve: stopping the epoll reactor: 12 messages read on 3 connections");
}

TEST(StopReport, AbsentOrGarbledIsNone) {
  EXPECT_FALSE(findStopReport(""));
  EXPECT_FALSE(findStopReport("weft serve: stopping the epoll reactor: many messages read"));
  EXPECT_FALSE(
      findStopReport("weft serve: stopping the epoll reactor: 3 frogs read on 1 connections"));
}

}  // namespace
}  // namespace weft::harness
