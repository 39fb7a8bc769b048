// One test per Twisted bug weft fixes (docs/twisted-semantics.md §3), showing weft's behaviour.
// Linearity is shown with the receivers' copy/scan counters, not with timings.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support.hpp"
#include "weft/protocols/framing.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"
#include "weft/protocols/line_only_receiver.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/protocols/netstring_receiver.hpp"

namespace weft {
namespace {

using Strings = std::vector<std::string>;
using testing::StringTransport;

template <class Base>
class Lines : public Base {
 public:
  using Base::Base;
  void lineReceived(std::string_view line) override {
    ++count;
    bytes += line.size();
  }
  void lineLengthExceeded(std::string_view line) override {
    tooLong.emplace_back(line);
    Base::lineLengthExceeded(line);
  }
  size_t count = 0;
  size_t bytes = 0;
  Strings tooLong;
};

void feedInChunks(Protocol& p, std::string_view data, size_t chunk) {
  for (size_t i = 0; i < data.size(); i += chunk) p.dataReceived(data.substr(i, chunk));
}

std::string manyLines(size_t n) {
  std::string wire;
  for (size_t i = 0; i < n; ++i) wire += std::string(50, 'a') + "\r\n";
  return wire;
}

// #6357 (LineReceiver) and #6356 (LineOnlyReceiver): quadratic when many lines arrive in one
// chunk (each line re-copies the remaining buffer) ...
template <class Receiver>
void manyLinesInOneChunkAreNotCopied() {
  const std::string wire = manyLines(20000);
  Lines<Receiver> p("\r\n", 16384);
  p.dataReceived(wire);
  EXPECT_EQ(p.count, 20000u);
  EXPECT_EQ(p.stats().bytesCopied, 0u);            // parsed in place
  EXPECT_LE(p.stats().bytesScanned, wire.size());  // every byte searched at most once
}

// ... or when one long line arrives in many small chunks (each chunk re-copies and re-scans
// the whole buffer).
template <class Receiver>
void oneLongLineInSmallChunksIsLinear() {
  const size_t n = 1 << 20;
  const std::string wire = std::string(n, 'x') + "\r\n";
  Lines<Receiver> p("\r\n", 2 * n);
  feedInChunks(p, wire, 7);
  EXPECT_EQ(p.count, 1u);
  EXPECT_EQ(p.bytes, n);
  EXPECT_LE(p.stats().bytesCopied, 2 * wire.size());
  EXPECT_LE(p.stats().bytesScanned, 2 * wire.size());
}

template <class Receiver>
void manyLinesInSmallChunksAreLinear() {
  const std::string wire = manyLines(20000);
  Lines<Receiver> p("\r\n", 16384);
  feedInChunks(p, wire, 13);
  EXPECT_EQ(p.count, 20000u);
  EXPECT_LE(p.stats().bytesCopied, 2 * wire.size());
  EXPECT_LE(p.stats().bytesScanned, 2 * wire.size());
}

TEST(Twisted6357, LineReceiverManyLinesInOneChunk) {
  manyLinesInOneChunkAreNotCopied<LineReceiver>();
}
TEST(Twisted6357, LineReceiverOneLongLineInSmallChunks) {
  oneLongLineInSmallChunksIsLinear<LineReceiver>();
}
TEST(Twisted6357, LineReceiverManyLinesInSmallChunks) {
  manyLinesInSmallChunksAreLinear<LineReceiver>();
}
TEST(Twisted6356, LineOnlyReceiverManyLinesInOneChunk) {
  manyLinesInOneChunkAreNotCopied<LineOnlyReceiver>();
}
TEST(Twisted6356, LineOnlyReceiverOneLongLineInSmallChunks) {
  oneLongLineInSmallChunksIsLinear<LineOnlyReceiver>();
}
TEST(Twisted6356, LineOnlyReceiverManyLinesInSmallChunks) {
  manyLinesInSmallChunksAreLinear<LineOnlyReceiver>();
}

class Strings32 : public Int32LEStringReceiver {
 public:
  using Int32LEStringReceiver::Int32LEStringReceiver;
  void stringReceived(std::string_view s) override {
    ++count;
    bytes += s.size();
  }
  void lengthLimitExceeded(size_t length) override { limits.push_back(length); }
  size_t count = 0;
  size_t bytes = 0;
  std::vector<size_t> limits;
};

// #6358: IntNStringReceiver is quadratic for a large string in small chunks.
TEST(Twisted6358, LargeStringInSmallChunksIsLinear) {
  const size_t n = 1 << 20;
  const std::string wire = frameLengthPrefixed(PrefixFormat::U32LE, std::string(n, 'x'));
  Strings32 p(2 * n);
  feedInChunks(p, wire, 7);
  EXPECT_EQ(p.count, 1u);
  EXPECT_EQ(p.bytes, n);
  EXPECT_LE(p.stats().bytesCopied, 2 * wire.size());
}

TEST(Twisted6358, ManyStringsInOneChunkAreNotCopied) {
  std::string wire;
  for (int i = 0; i < 20000; ++i) appendLengthPrefixed(wire, PrefixFormat::U32LE, "abcdefgh");
  Strings32 p;
  p.dataReceived(wire);
  EXPECT_EQ(p.count, 20000u);
  EXPECT_EQ(p.stats().bytesCopied, 0u);
}

TEST(Twisted6358, NetstringLargeStringInSmallChunksIsLinear) {
  class Collect : public NetstringReceiver {
   public:
    using NetstringReceiver::NetstringReceiver;
    void stringReceived(std::string_view s) override { bytes += s.size(); }
    size_t bytes = 0;
  };
  const size_t n = 1 << 20;
  const std::string wire = frameNetstring(std::string(n, 'x'));
  Collect p(2 * n);
  feedInChunks(p, wire, 7);
  EXPECT_EQ(p.bytes, n);
  EXPECT_LE(p.stats().bytesCopied, 2 * wire.size());
}

// #8105: with lengthLimitExceeded overridden to keep the connection, Twisted re-delivers
// strings it already delivered. weft delivers each once, skips the over-long payload and
// stays in step with the stream.
TEST(Twisted8105, NoRedeliveryAfterIgnoredLengthLimit) {
  class Int16 : public Int16StringReceiver {
   public:
    Int16() : Int16StringReceiver(3) {}
    void stringReceived(std::string_view s) override { received.emplace_back(s); }
    void lengthLimitExceeded(size_t length) override { limits.push_back(length); }
    Strings received;
    std::vector<size_t> limits;
  };
  StringTransport t;
  Int16 p;
  p.makeConnection(t);
  p.dataReceived(
      std::string("\x00\x03"
                  "abc"
                  "\x00\x04",
                  7));
  p.dataReceived("wxyz");
  EXPECT_EQ(p.received, Strings{"abc"});  // Twisted: ["abc", "abc"]
  EXPECT_EQ(p.limits, std::vector<size_t>{4});
  p.dataReceived(
      std::string("\x00\x02"
                  "hi",
                  4));
  EXPECT_EQ(p.received, (Strings{"abc", "hi"}));
  EXPECT_FALSE(t.disconnecting());
}

TEST(Twisted8105, SkippedPayloadIsNeverBuffered) {
  StringTransport t;
  Strings32 p(10);
  p.makeConnection(t);
  std::string wire = frameLengthPrefixed(PrefixFormat::U32LE, std::string(100000, 'z')) +
                     frameLengthPrefixed(PrefixFormat::U32LE, "ok");
  feedInChunks(p, wire, 1000);
  EXPECT_EQ(p.limits, std::vector<size_t>{100000});
  EXPECT_EQ(p.count, 1u);
  EXPECT_LE(p.stats().bytesCopied, 8u);  // at most prefixes split across chunks
}

// #3353 / #6556: LineOnlyReceiver rejected a line of exactly MAX_LENGTH whose delimiter was
// split across chunks; weft accepts it, as LineReceiver does.
TEST(Twisted3353, LineOnlyReceiverAcceptsMaxLineWithSplitDelimiter) {
  StringTransport t;
  Lines<LineOnlyReceiver> p("\r\n", 4);
  p.makeConnection(t);
  p.dataReceived("xxxx\r");
  p.dataReceived("\n");
  EXPECT_EQ(p.count, 1u);
  EXPECT_TRUE(p.tooLong.empty());
  EXPECT_FALSE(t.disconnecting());
}

TEST(Twisted3353, BothReceiversAgreeOnUnterminatedLimit) {
  for (std::string input : {"xxxx\r", "xxxxx", "xxxxxx"}) {
    StringTransport t1, t2;
    Lines<LineReceiver> a("\r\n", 4);
    Lines<LineOnlyReceiver> b("\r\n", 4);
    a.makeConnection(t1);
    b.makeConnection(t2);
    test::feedBytes(a, input);
    test::feedBytes(b, input);
    EXPECT_EQ(a.tooLong, b.tooLong) << input;
    EXPECT_EQ(t1.disconnecting(), t2.disconnecting()) << input;
    EXPECT_EQ(t1.disconnecting(), input.size() >= 6) << input;
  }
}

// #6558: LineOnlyReceiver passed only the over-long line to lineLengthExceeded.
TEST(Twisted6558, LineOnlyReceiverPassesWholeRemainder) {
  StringTransport t;
  Lines<LineOnlyReceiver> p("\r\n", 4);
  p.makeConnection(t);
  p.dataReceived("xxxxx\r\nab\r\nc");
  EXPECT_EQ(p.tooLong, Strings{"xxxxx\r\nab\r\nc"});  // Twisted: ["xxxxx"]
  EXPECT_EQ(p.count, 0u);
  EXPECT_EQ(p.stats().bytesBuffered, 0u);
}

}  // namespace
}  // namespace weft
