// Twisted's LineReceiverTests, LineReceiverLineLengthExceededTests and ProducerTests
// (protocols/test/test_basic.py), plus the edge-case table of docs/twisted-semantics.md §1.1.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "support.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace weft {
namespace {

using Strings = std::vector<std::string>;
using test::feedChunks;
using testing::StringTransport;

// Twisted's LineTester: "\n" delimiter, MAX_LENGTH 64, and actions keyed on line contents.
class LineTester : public LineReceiver {
 public:
  explicit LineTester(test::FakeClock* clock = nullptr) : LineReceiver("\n", 64), clock_(clock) {}

  void connectionMade() override { received.clear(); }

  void lineReceived(std::string_view line) override {
    received.emplace_back(line);
    if (line.empty()) {
      setRawMode();
    } else if (line == "pause") {
      pauseProducing();
      clock_->callLater0([this] { resumeProducing(); });
    } else if (line == "rawpause") {
      pauseProducing();
      setRawMode();
      received.emplace_back();
      clock_->callLater0([this] { resumeProducing(); });
    } else if (line == "stop") {
      stopProducing();
    } else if (line.substr(0, 4) == "len ") {
      length = std::stoul(std::string(line.substr(4)));
    } else if (line.starts_with("produce")) {
      transport->registerProducer(*this);
    } else if (line.starts_with("unproduce")) {
      transport->unregisterProducer();
    }
  }

  void rawDataReceived(std::string_view data) override {
    size_t n = std::min(length, data.size());
    length -= n;
    received.back().append(data.substr(0, n));
    if (length == 0) setLineMode(data.substr(n));
  }

  void lineLengthExceeded(std::string_view line) override {
    if (line.size() > maxLength + 1) setLineMode(line.substr(maxLength + 1));
  }

  Strings received;
  size_t length = 0;

 private:
  test::FakeClock* clock_;
};

// Records lines and lineLengthExceeded arguments; a line "quit" drops the connection.
class Collector : public LineReceiver {
 public:
  using LineReceiver::LineReceiver;
  void lineReceived(std::string_view line) override {
    lines.emplace_back(line);
    if (line == "quit") transport->loseConnection();
  }
  void lineLengthExceeded(std::string_view line) override {
    tooLong.emplace_back(line);
    if (disconnectOnTooLong) LineReceiver::lineLengthExceeded(line);
  }
  Strings lines;
  Strings tooLong;
  bool disconnectOnTooLong = true;
};

class ChunkSize : public ::testing::TestWithParam<size_t> {};
INSTANTIATE_TEST_SUITE_P(OneToNine, ChunkSize, ::testing::Range<size_t>(1, 10));

// --- LineReceiverTests ---------------------------------------------------------------------

const std::string kBuffer =
    "len 10\n"
    "\n"
    "0123456789len 5\n"
    "\n"
    "1234\n"
    "len 20\n"
    "foo 123\n"
    "\n"
    "0123456789\n"
    "012345678len 0\n"
    "foo 5\n"
    "\n"
    "1234567890123456789012345678901234567890123456789012345678901234567890\n"
    "len 1\n"
    "\n"
    "a";

TEST_P(ChunkSize, Buffer) {
  StringTransport t;
  LineTester a;
  a.makeConnection(t);
  feedChunks(a, kBuffer, GetParam());
  EXPECT_EQ(a.received,
            (Strings{"len 10", "0123456789", "len 5", "1234\n", "len 20", "foo 123",
                     "0123456789\n012345678", "len 0", "foo 5", "", "67890", "len 1", "a"}));
}

TEST_P(ChunkSize, Pausing) {
  StringTransport t;
  test::FakeClock clock;
  LineTester a(&clock);
  a.makeConnection(t);
  feedChunks(a, "twiddle1\ntwiddle2\npause\ntwiddle3\n", GetParam());
  EXPECT_EQ(a.received, (Strings{"twiddle1", "twiddle2", "pause"}));
  EXPECT_TRUE(t.paused);
  clock.advance();
  EXPECT_EQ(a.received, (Strings{"twiddle1", "twiddle2", "pause", "twiddle3"}));
  EXPECT_FALSE(t.paused);
}

TEST_P(ChunkSize, RawPausing) {
  StringTransport t;
  test::FakeClock clock;
  LineTester a(&clock);
  a.makeConnection(t);
  feedChunks(a, "twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n", GetParam());
  EXPECT_EQ(a.received, (Strings{"twiddle1", "twiddle2", "len 5", "rawpause", ""}));
  clock.advance();
  EXPECT_EQ(a.received,
            (Strings{"twiddle1", "twiddle2", "len 5", "rawpause", "12345", "twiddle3"}));
}

TEST_P(ChunkSize, StopProducing) {
  StringTransport t;
  LineTester a;
  a.makeConnection(t);
  feedChunks(a, "twiddle1\ntwiddle2\nstop\nmore\nstuff\n", GetParam());
  EXPECT_EQ(a.received, (Strings{"twiddle1", "twiddle2", "stop"}));
  EXPECT_TRUE(t.stopped);
}

TEST_P(ChunkSize, LineReceiverAsProducer) {
  StringTransport t;
  LineTester a;
  a.makeConnection(t);
  feedChunks(a, "produce\nhello world\n", GetParam());
  EXPECT_EQ(t.producer, &a);
  feedChunks(a, "unproduce\ngoodbye\n", GetParam());
  EXPECT_EQ(t.producer, nullptr);
  EXPECT_EQ(a.received, (Strings{"produce", "hello world", "unproduce", "goodbye"}));
}

TEST(LineReceiver, ClearLineBuffer) {
  class ClearingReceiver : public LineReceiver {
   public:
    void lineReceived(std::string_view l) override {
      line = l;  // copied before clearLineBuffer: the view must stay valid meanwhile
      rest = clearLineBuffer();
      lineAfterClear = l;
    }
    std::string line, rest, lineAfterClear;
  };
  ClearingReceiver p;
  p.dataReceived("foo\r\nbar\r\nbaz");
  EXPECT_EQ(p.line, "foo");
  EXPECT_EQ(p.lineAfterClear, "foo");
  EXPECT_EQ(p.rest, "bar\r\nbaz");
  p.dataReceived("quux\r\n");
  EXPECT_EQ(p.line, "quux");
  EXPECT_EQ(p.rest, "");
}

TEST(LineReceiver, ClearLineBufferFromStoredData) {
  class ClearingReceiver : public LineReceiver {
   public:
    void lineReceived(std::string_view l) override {
      rest = clearLineBuffer();
      line = l;  // still valid after clearLineBuffer, even though it points into the buffer
    }
    std::string line, rest;
  };
  ClearingReceiver p;
  p.dataReceived("fo");
  p.dataReceived("o\r\nbar\r\nbaz");
  EXPECT_EQ(p.line, "foo");
  EXPECT_EQ(p.rest, "bar\r\nbaz");
}

TEST(LineReceiver, StackRecursion) {
  // Twisted #3050: flipping modes once per byte must not recurse.
  class FlippingLineTester : public LineReceiver {
   public:
    FlippingLineTester() : LineReceiver("\n") {}
    void lineReceived(std::string_view line) override {
      lines.append(line);
      setRawMode();
    }
    void rawDataReceived(std::string_view data) override { setLineMode(data.substr(1)); }
    std::string lines;
  };
  const size_t limit = 10000;  // ten times Python's default recursion limit
  std::string data;
  for (size_t i = 0; i < limit; ++i) data += "x\nx";
  StringTransport t;
  FlippingLineTester p;
  p.makeConnection(t);
  p.dataReceived(data);
  EXPECT_EQ(p.lines, std::string(limit, 'x'));
}

TEST_P(ChunkSize, MaximumLineLength) {
  StringTransport t;
  Collector p;
  p.makeConnection(t);
  feedChunks(p, std::string(p.maxLength + 1, 'x') + "\r\nr", GetParam());
  EXPECT_TRUE(t.disconnecting());
  EXPECT_TRUE(p.lines.empty());
}

TEST(LineReceiver, MaximumLineLengthPartialDelimiter) {
  // Twisted's version (with LineTester's "\n" delimiter) ...
  StringTransport t;
  LineTester p;
  p.maxLength = 4;
  p.makeConnection(t);
  std::string line(p.maxLength - 1, 'x');
  p.dataReceived(line);
  p.dataReceived(p.delimiter().substr(0, p.delimiter().size() - 1));
  p.dataReceived(std::string(p.delimiter().substr(p.delimiter().size() - 1)) + line);
  EXPECT_FALSE(t.disconnecting());
  EXPECT_EQ(p.received, Strings{line});
}

TEST(LineReceiver, MaximumLengthLineWithSplitCrLf) {
  // ... and the one that matters (#6556): a line of exactly MAX with "\r" | "\n" split.
  StringTransport t;
  Collector p("\r\n", 4);
  p.makeConnection(t);
  p.dataReceived("xxxx\r");
  p.dataReceived("\nyy");
  EXPECT_FALSE(t.disconnecting());
  EXPECT_EQ(p.lines, Strings{"xxxx"});
  EXPECT_EQ(p.clearLineBuffer(), "yy");
}

TEST_P(ChunkSize, NotQuiteMaximumLineLengthUnfinished) {
  StringTransport t;
  Collector p;
  p.makeConnection(t);
  feedChunks(p, std::string(p.maxLength, 'x') + "\r", GetParam());
  EXPECT_FALSE(t.disconnecting());
  EXPECT_TRUE(p.tooLong.empty());
}

TEST(LineReceiver, RawDataErrorPropagates) {
  // Twisted returns the error from dataReceived; in C++ an exception propagates, and the
  // receiver stays usable afterwards (its re-entrancy guard is released).
  class Failing : public LineReceiver {
   public:
    void lineReceived(std::string_view line) override { lines.emplace_back(line); }
    void rawDataReceived(std::string_view data) override {
      if (data == "boom") throw std::runtime_error("oops");
      raw.emplace_back(data);
    }
    Strings lines, raw;
  };
  StringTransport t;
  Failing p;
  p.makeConnection(t);
  p.setRawMode();
  EXPECT_THROW(p.dataReceived("boom"), std::runtime_error);
  p.dataReceived("fine");
  EXPECT_EQ(p.raw, Strings{"fine"});
  p.setLineMode("a\r\nb\r\n");
  EXPECT_EQ(p.lines, (Strings{"a", "b"}));
}

TEST(LineReceiver, RawDataReceivedNotImplemented) {
  Collector p;
  p.setRawMode();
  EXPECT_THROW(p.dataReceived("foo"), Error);
}

// --- LineReceiverLineLengthExceededTests (MAX_LENGTH 6) ------------------------------------

class LineLengthExceeded : public ::testing::Test {
 protected:
  void SetUp() override {
    proto.maxLength = 6;
    proto.disconnectOnTooLong = false;
    proto.makeConnection(transport);
  }
  StringTransport transport;
  Collector proto;
  std::string excessive = std::string(6 * 2 + 2, 'x');
};

TEST_F(LineLengthExceeded, LongUnendedLine) {
  proto.dataReceived(excessive);
  EXPECT_EQ(proto.tooLong, Strings{excessive});
}

TEST_F(LineLengthExceeded, LongLineAfterShortLine) {
  proto.dataReceived("x\r\n" + excessive);
  EXPECT_EQ(proto.tooLong, Strings{excessive});
}

TEST_F(LineLengthExceeded, LongLineWithDelimiter) {
  std::string data = excessive + "\r\n" + excessive;
  proto.dataReceived(data);
  EXPECT_EQ(proto.tooLong, Strings{data});
}

TEST_F(LineLengthExceeded, MultipleLongLines) {
  std::string data = excessive + "\r\n" + excessive + "\r\n";
  proto.dataReceived(data);
  EXPECT_EQ(proto.tooLong, Strings{data});
}

TEST_P(ChunkSize, MaximumLineLengthRemaining) {
  StringTransport t;
  Collector p;
  p.makeConnection(t);
  feedChunks(p, std::string(p.maxLength + 2, 'x'), GetParam());
  EXPECT_TRUE(t.disconnecting());
}

// --- docs/twisted-semantics.md §1.1 edge cases (MAX_LENGTH 4, "\r\n") --------------------

class EdgeCases : public ::testing::Test {
 protected:
  void SetUp() override {
    p.maxLength = 4;
    p.makeConnection(t);
  }
  StringTransport t;
  Collector p;
};

TEST_F(EdgeCases, ExactlyMaxIsAccepted) {
  p.dataReceived("xxxx\r\n");
  EXPECT_EQ(p.lines, Strings{"xxxx"});
  EXPECT_FALSE(t.disconnecting());
}

TEST_F(EdgeCases, TooLongLinePassesWholeRemainder) {
  p.disconnectOnTooLong = false;
  p.dataReceived("xxxxx\r\nab\r\nc");
  EXPECT_EQ(p.tooLong, Strings{"xxxxx\r\nab\r\nc"});
  EXPECT_TRUE(p.lines.empty());
  EXPECT_EQ(p.clearLineBuffer(), "");
}

TEST_F(EdgeCases, UnterminatedMaxPlusPartialDelimiterWaits) {
  p.dataReceived("xxxx\r");
  EXPECT_TRUE(p.tooLong.empty());
  EXPECT_FALSE(t.disconnecting());
  EXPECT_EQ(p.clearLineBuffer(), "xxxx\r");
}

TEST_F(EdgeCases, UnterminatedMaxPlusDelimiterLengthExceeds) {
  p.dataReceived("xxxxxx");
  EXPECT_EQ(p.tooLong, Strings{"xxxxxx"});
  EXPECT_TRUE(t.disconnecting());
}

TEST_F(EdgeCases, DelimiterSplitAcrossChunks) {
  p.dataReceived("ab\r");
  p.dataReceived("\ncd\r\n");
  EXPECT_EQ(p.lines, (Strings{"ab", "cd"}));
}

TEST_F(EdgeCases, EmptyLines) {
  p.dataReceived("\r\n\r\n");
  EXPECT_EQ(p.lines, (Strings{"", ""}));
}

TEST_P(ChunkSize, NothingDeliveredAfterLoseConnection) {
  StringTransport t;
  Collector p;
  p.makeConnection(t);
  feedChunks(p, "a\r\nquit\r\nb\r\n", GetParam());
  EXPECT_EQ(p.lines, (Strings{"a", "quit"}));
  EXPECT_EQ(p.clearLineBuffer(), "b\r\n");
}

TEST_P(ChunkSize, ReentrantDataReceivedOnlyQueues) {
  class Injecting : public LineReceiver {
   public:
    void lineReceived(std::string_view line) override {
      lines.emplace_back(line);
      if (line == "inject") dataReceived("injected\r\n");
    }
    Strings lines;
  };
  Injecting p;
  p.dataReceived("inject\r\nnext\r\n");
  EXPECT_EQ(p.lines, (Strings{"inject", "next", "injected"}));
  // Chunked: the injected line still comes after every byte already received.
  Injecting q;
  feedChunks(q, "inject\r\nnext\r\n", GetParam());
  EXPECT_EQ(q.lines.front(), "inject");
  EXPECT_EQ(q.lines.size(), 3u);
}

TEST(LineReceiver, ModeSwitching) {
  class Switching : public LineReceiver {
   public:
    void lineReceived(std::string_view line) override {
      events.push_back("line " + std::string(line));
      if (line == "raw") setRawMode();
    }
    void rawDataReceived(std::string_view data) override {
      events.push_back("raw " + std::string(data));
      setLineMode(data.substr(data.find('|') + 1));
    }
    Strings events;
  };
  Switching p;
  p.dataReceived("one\r\nraw\r\nRAW|two\r\nthree\r\n");
  EXPECT_EQ(p.events, (Strings{"line one", "line raw", "raw RAW|two\r\nthree\r\n", "line two",
                               "line three"}));
}

TEST(LineReceiver, SendLineIsOneWrite) {
  test::RecordingTransport t;
  Collector p;
  p.makeConnection(t);
  p.sendLine("hello");
  EXPECT_EQ(t.writes, Strings{"hello\r\n"});
  p.setDelimiter("\n");
  p.sendLine("x");
  EXPECT_EQ(t.writes, (Strings{"hello\r\n", "x\n"}));
}

TEST(LineReceiver, EmptyDelimiterIsRejected) {
  Collector p;
  EXPECT_THROW(p.setDelimiter(""), Error);
}

TEST_P(ChunkSize, NothingDeliveredInRawModeAfterLoseConnection) {
  class RawCollector : public LineReceiver {
   public:
    void lineReceived(std::string_view) override { setRawMode(); }
    void rawDataReceived(std::string_view data) override {
      raw.append(data);
      if (raw.find('!') != std::string::npos) transport->loseConnection();
    }
    std::string raw;
  };
  StringTransport t;
  RawCollector p;
  p.makeConnection(t);
  feedChunks(p, "go\r\nab!cdef", GetParam());
  EXPECT_EQ(p.raw.substr(0, 3), "ab!");
  EXPECT_LE(p.raw.size(), 2 + GetParam());  // at most the rest of the chunk holding '!'
  const std::string seen = p.raw;
  p.dataReceived("more");
  EXPECT_EQ(p.raw, seen);
}

TEST_P(ChunkSize, LongerDelimiter) {
  Collector p("<END>", 100);
  feedChunks(p, "a<END><EN<END>b<E<END<END><END>", GetParam());
  EXPECT_EQ(p.lines, (Strings{"a", "<EN", "b<E<END", ""}));
}

// --- ProducerTests.test_pauseResume --------------------------------------------------------

TEST(Producer, PauseResume) {
  class ConsumingProtocol : public LineReceiver {
   public:
    void lineReceived(std::string_view line) override {
      transport->write(line);
      pauseProducing();
    }
  };
  ConsumingProtocol p;
  test::RecordingTransport t;
  p.makeConnection(t);

  p.dataReceived("hello, ");
  EXPECT_TRUE(t.writes.empty());
  EXPECT_FALSE(t.paused);
  EXPECT_FALSE(p.paused());

  p.dataReceived("world\r\n");
  EXPECT_EQ(t.writes, Strings{"hello, world"});
  EXPECT_TRUE(t.paused);
  EXPECT_TRUE(p.paused());

  p.resumeProducing();
  EXPECT_EQ(t.writes, Strings{"hello, world"});
  EXPECT_FALSE(t.paused);
  EXPECT_FALSE(p.paused());

  p.dataReceived("hello\r\nworld\r\n");
  EXPECT_EQ(t.writes, (Strings{"hello, world", "hello"}));
  EXPECT_TRUE(t.paused);
  EXPECT_TRUE(p.paused());

  p.resumeProducing();
  EXPECT_EQ(t.writes, (Strings{"hello, world", "hello", "world"}));
  EXPECT_TRUE(t.paused);
  EXPECT_TRUE(p.paused());

  p.dataReceived("goodbye\r\n");
  EXPECT_EQ(t.writes, (Strings{"hello, world", "hello", "world"}));
  EXPECT_TRUE(t.paused);
  EXPECT_TRUE(p.paused());

  p.resumeProducing();
  EXPECT_EQ(t.writes, (Strings{"hello, world", "hello", "world", "goodbye"}));
  EXPECT_TRUE(t.paused);
  EXPECT_TRUE(p.paused());

  p.resumeProducing();
  EXPECT_EQ(t.writes, (Strings{"hello, world", "hello", "world", "goodbye"}));
  EXPECT_FALSE(t.paused);
  EXPECT_FALSE(p.paused());
}

TEST_P(ChunkSize, PausedReceiverDoesNotCheckLength) {
  StringTransport t;
  Collector p("\r\n", 4);
  p.makeConnection(t);
  p.pauseProducing();
  feedChunks(p, "abc\r\nxxxxxxxxxx", GetParam());
  EXPECT_TRUE(p.lines.empty());
  EXPECT_TRUE(p.tooLong.empty());
  p.resumeProducing();
  EXPECT_EQ(p.lines, Strings{"abc"});
  EXPECT_EQ(p.tooLong, Strings{"xxxxxxxxxx"});
}

}  // namespace
}  // namespace weft
