// The path a long line takes chunk by chunk (LineSplitter::continueLine): chunks of the sizes
// it handles inline (16-256 bytes) and beyond, delimiters and partial delimiters at and
// around chunk boundaries, the length limit, and everything that must turn it off (pausing,
// raw mode, re-entrancy, a new delimiter, clearLineBuffer, disconnecting).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weft/protocols/line_only_receiver.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/testing/string_transport.hpp"

namespace weft {
namespace {

using Strings = std::vector<std::string>;
using testing::StringTransport;

template <class Base>
class Collector : public Base {
 public:
  Collector(std::string_view delimiter, size_t maxLength) : Base(delimiter, maxLength) {
    this->makeConnection(transport);
  }
  void lineReceived(std::string_view line) override { lines.emplace_back(line); }
  void lineLengthExceeded(std::string_view line) override {
    tooLong.emplace_back(line);
    Base::lineLengthExceeded(line);
  }
  void feed(std::string_view data, size_t chunk) {
    for (size_t i = 0; i < data.size(); i += chunk) this->dataReceived(data.substr(i, chunk));
  }
  StringTransport transport;
  Strings lines;
  Strings tooLong;
};

const size_t kChunks[] = {1, 7, 15, 16, 17, 31, 48, 63, 64, 65, 100, 255, 256, 257, 1024};

// Lines of up to 3000 bytes full of partial delimiters, in every chunk size: the same lines as
// in one piece, and linear copy and scan counts.
template <class Receiver>
void longLinesInEveryChunkSize() {
  for (std::string delimiter : {"\r\n", "\n", "<END>", "aab"}) {
    Strings lines;
    std::string wire;
    for (size_t i = 0; i < 12; ++i) {
      std::string line(i * 250, 'x');
      // Starts of the delimiter that do not complete it.
      if (delimiter.size() > 1) {
        for (size_t at = 7; at + 3 < line.size(); at += 61 + i) line[at] = delimiter[0];
      }
      if (delimiter.size() > 2) line.insert(line.size() / 2, delimiter.substr(0, 2) + "x");
      wire += line + delimiter;
      lines.push_back(line);
    }
    for (size_t chunk : kChunks) {
      Collector<Receiver> p(delimiter, 4000);
      p.feed(wire, chunk);
      ASSERT_EQ(p.lines, lines) << "delimiter " << delimiter << " chunk " << chunk;
      EXPECT_TRUE(p.tooLong.empty());
      EXPECT_EQ(p.stats().bytesBuffered, 0u);
      EXPECT_LE(p.stats().bytesCopied, 2 * wire.size()) << chunk;
      EXPECT_LE(p.stats().bytesScanned, 2 * wire.size()) << chunk;
    }
  }
}

TEST(LineContinuation, LineReceiverLongLinesInEveryChunkSize) {
  longLinesInEveryChunkSize<LineReceiver>();
}
TEST(LineContinuation, LineOnlyReceiverLongLinesInEveryChunkSize) {
  longLinesInEveryChunkSize<LineOnlyReceiver>();
}

// Each byte of a long line fed in 64-byte chunks is copied and scanned once.
template <class Receiver>
void countsAreExact() {
  Collector<Receiver> p("\r\n", 1 << 20);
  const std::string line(64 * 1000, 'x');
  p.feed(line, 64);
  EXPECT_EQ(p.stats().bytesBuffered, line.size());
  EXPECT_EQ(p.stats().bytesCopied, line.size());
  EXPECT_EQ(p.stats().bytesScanned, line.size());
  p.dataReceived("\r\n");
  EXPECT_EQ(p.lines, Strings{line});
}

TEST(LineContinuation, LineReceiverCountsAreExact) {
  countsAreExact<LineReceiver>();
}
TEST(LineContinuation, LineOnlyReceiverCountsAreExact) {
  countsAreExact<LineOnlyReceiver>();
}

// #6556 through the fast path: a line of exactly maxLength whose delimiter is split across
// chunks is delivered, however the chunk before the split was taken.
template <class Receiver>
void maximalLineWithSplitDelimiter() {
  for (std::string_view before : {"", "yyyyyyyyyyyyyyyyyyyy"}) {
    Collector<Receiver> p("\r\n", 100);
    p.dataReceived(std::string(40, 'x'));
    p.dataReceived(std::string(60, 'x'));  // continues the line
    p.dataReceived(std::string(before) + "\r");
    if (!before.empty()) {
      EXPECT_EQ(p.tooLong.size(), 1u);  // 121 bytes with no line end: over the limit
      continue;
    }
    EXPECT_TRUE(p.tooLong.empty());
    p.dataReceived("\nnext line that is long enough to continue\r\n");
    EXPECT_EQ(p.lines,
              (Strings{std::string(100, 'x'), "next line that is long enough to continue"}));
    EXPECT_TRUE(p.tooLong.empty());
  }
}

TEST(LineContinuation, LineReceiverMaximalLineWithSplitDelimiter) {
  maximalLineWithSplitDelimiter<LineReceiver>();
}
TEST(LineContinuation, LineOnlyReceiverMaximalLineWithSplitDelimiter) {
  maximalLineWithSplitDelimiter<LineOnlyReceiver>();
}

// The limit is checked after each continuing chunk, as the loop would: lineLengthExceeded gets
// everything buffered once maxLength + delimiter bytes are, and nothing is delivered after it.
template <class Receiver>
void overLongLineInSmallChunks() {
  Collector<Receiver> p("\r\n", 100);
  std::string wire = std::string(300, 'x') + "\r\nafter\r\n";
  p.dataReceived(std::string_view(wire).substr(0, 40));
  p.dataReceived(std::string_view(wire).substr(40, 32));
  EXPECT_TRUE(p.tooLong.empty());  // 72 bytes
  p.dataReceived(std::string_view(wire).substr(72, 32));
  ASSERT_EQ(p.tooLong, Strings{std::string(104, 'x')});
  EXPECT_TRUE(p.transport.disconnecting());
  p.feed(std::string_view(wire).substr(104), 32);
  EXPECT_TRUE(p.lines.empty());
  EXPECT_EQ(p.tooLong.size(), 1u);
}

TEST(LineContinuation, LineReceiverOverLongLineInSmallChunks) {
  overLongLineInSmallChunks<LineReceiver>();
}
TEST(LineContinuation, LineOnlyReceiverOverLongLineInSmallChunks) {
  overLongLineInSmallChunks<LineOnlyReceiver>();
}

// A new delimiter makes the stored bytes be searched again, from the start.
template <class Receiver>
void newDelimiterWhileALineIsPending() {
  Collector<Receiver> p("\r\n", 1000);
  p.dataReceived(std::string(30, 'x') + "Q|" + std::string(32, 'y'));
  p.dataReceived(std::string(64, 'z'));  // continues the line under "\r\n"
  EXPECT_TRUE(p.lines.empty());
  p.setDelimiter("|");
  p.dataReceived(std::string(64, 'w'));
  EXPECT_EQ(p.lines, Strings{std::string(30, 'x') + "Q"});
  p.dataReceived("|");
  EXPECT_EQ(p.lines.size(), 2u);
  EXPECT_EQ(p.lines[1], std::string(32, 'y') + std::string(64, 'z') + std::string(64, 'w'));
}

TEST(LineContinuation, LineReceiverNewDelimiterWhileALineIsPending) {
  newDelimiterWhileALineIsPending<LineReceiver>();
}
TEST(LineContinuation, LineOnlyReceiverNewDelimiterWhileALineIsPending) {
  newDelimiterWhileALineIsPending<LineOnlyReceiver>();
}

// While disconnecting nothing is delivered; bytes are still kept, as before the fast path.
template <class Receiver>
void disconnectingKeepsBytes() {
  Collector<Receiver> p("\r\n", 1000);
  p.dataReceived(std::string(40, 'x'));
  p.transport.loseConnection();
  p.dataReceived(std::string(64, 'x'));
  p.dataReceived("\r\n" + std::string(62, 'y'));
  EXPECT_TRUE(p.lines.empty());
  EXPECT_EQ(p.stats().bytesBuffered, 40u + 64 + 64);
}

TEST(LineContinuation, LineReceiverDisconnectingKeepsBytes) {
  disconnectingKeepsBytes<LineReceiver>();
}
TEST(LineContinuation, LineOnlyReceiverDisconnectingKeepsBytes) {
  disconnectingKeepsBytes<LineOnlyReceiver>();
}

// LineReceiver only: pausing, raw mode, re-entrancy and clearLineBuffer with a line pending.
class Driven : public Collector<LineReceiver> {
 public:
  Driven() : Collector("\r\n", 100000) {}
  void lineReceived(std::string_view line) override {
    Collector::lineReceived(line);
    if (line == "raw") setRawMode();
    if (line == "inject") {
      // Re-entrant: queued behind what is buffered, never appended by the fast path while
      // this callback still holds its view.
      dataReceived(std::string(64, 'i'));
      dataReceived(std::string(64, 'j') + "\r\n");
    }
  }
  void rawDataReceived(std::string_view data) override { raw += data; }
  std::string raw;
};

TEST(LineContinuation, PausedLinesWaitForResume) {
  Driven p;
  p.dataReceived(std::string(40, 'x'));
  p.pauseProducing();
  p.feed(std::string(128, 'x') + "\r\nnext\r\n", 64);
  EXPECT_TRUE(p.lines.empty());
  p.resumeProducing();
  EXPECT_EQ(p.lines, (Strings{std::string(168, 'x'), "next"}));
}

TEST(LineContinuation, RawModeTakesTheChunksWhole) {
  Driven p;
  p.dataReceived("raw\r\n" + std::string(40, 'r'));
  p.feed(std::string(128, 's'), 64);
  EXPECT_EQ(p.raw, std::string(40, 'r') + std::string(128, 's'));
  EXPECT_EQ(p.lines, Strings{"raw"});
}

TEST(LineContinuation, ReentrantChunksAreQueued) {
  Driven p;
  p.dataReceived("inject\r\n" + std::string(40, 'x'));
  EXPECT_EQ(p.lines, (Strings{"inject",
                              std::string(40, 'x') + std::string(64, 'i') + std::string(64, 'j')}));
  p.dataReceived(std::string(64, 'y') + "\r\n");
  EXPECT_EQ(p.lines.back(), std::string(64, 'y'));
}

// A line delivered from the storage stays valid while its callback feeds more chunks: they are
// queued, not appended (which could move the storage).
TEST(LineContinuation, CallbackViewSurvivesReentrantChunks) {
  class Checker : public Collector<LineReceiver> {
   public:
    Checker() : Collector("\r\n", 100000) {}
    void lineReceived(std::string_view line) override {
      const std::string before(line);
      for (int i = 0; i < 8; ++i) dataReceived(std::string(300, 'k'));
      intact = intact && line == before;
      Collector::lineReceived(line);
    }
    bool intact = true;
  } p;
  p.dataReceived("check" + std::string(40, 'x'));
  p.dataReceived(std::string(64, 'x'));  // continues the line, in the storage
  p.dataReceived("\r\n");
  EXPECT_TRUE(p.intact);
  EXPECT_EQ(p.lines, Strings{"check" + std::string(104, 'x')});
  EXPECT_EQ(p.stats().bytesBuffered, 8u * 300);
}

TEST(LineContinuation, ClearLineBufferDropsThePendingLine) {
  Driven p;
  p.feed(std::string(128, 'x'), 64);
  EXPECT_EQ(p.clearLineBuffer(), std::string(128, 'x'));
  p.feed(std::string(64, 'y') + "\r\n", 64);
  EXPECT_EQ(p.lines, Strings{std::string(64, 'y')});
}

}  // namespace
}  // namespace weft
