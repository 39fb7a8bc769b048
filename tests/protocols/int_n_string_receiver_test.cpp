// Twisted's IntNTestCaseMixin (Int32Tests, Int16Tests, Int8Tests), run for all three sizes
// in both byte orders, plus pausing and the no-allocation guarantee for huge prefixes.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "support.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"

namespace weft {
namespace {

using Strings = std::vector<std::string>;
using test::feedChunks;
using testing::StringTransport;

static_assert(Int8StringReceiver::kFormat == PrefixFormat::U8);
static_assert(Int16StringReceiver::kFormat == PrefixFormat::U16BE);
static_assert(Int32StringReceiver::kFormat == PrefixFormat::U32BE);
static_assert(Int16LEStringReceiver::kFormat == PrefixFormat::U16LE);
static_assert(Int32LEStringReceiver::kFormat == PrefixFormat::U32LE);

// Twisted's TestMixin: MAX_LENGTH 50, records strings and length-limit events.
template <class Base>
class Tester : public Base {
 public:
  Tester() : Base(50) {}
  void stringReceived(std::string_view s) override {
    received.emplace_back(s);
    if (pauseAfterEach) this->pauseProducing();
  }
  void lengthLimitExceeded(size_t length) override {
    limits.push_back(length);
    if (disconnectOnLimit) Base::lengthLimitExceeded(length);
  }
  Strings received;
  std::vector<size_t> limits;
  bool disconnectOnLimit = true;
  bool pauseAfterEach = false;
};

template <class Base>
class IntN : public ::testing::Test {
 protected:
  static constexpr PrefixFormat kFormat = Base::kFormat;
  static constexpr size_t kPrefix = prefixLength(Base::kFormat);
  static std::string pack(uint64_t n) {
    char b[4];
    encodePrefix(kFormat, n, b);
    return std::string(b, kPrefix);
  }
  void SetUp() override { r.makeConnection(t); }
  StringTransport t;
  Tester<Base> r;
};

using Receivers = ::testing::Types<Int8StringReceiver, Int16StringReceiver, Int32StringReceiver,
                                   Int16LEStringReceiver, Int32LEStringReceiver>;
TYPED_TEST_SUITE(IntN, Receivers);

TYPED_TEST(IntN, Receive) {
  const Strings strings{"a", std::string(16, 'b')};
  for (size_t size = 1; size <= 9; ++size) {
    Tester<TypeParam> r;
    StringTransport t;
    r.makeConnection(t);
    std::string wire;
    for (auto& s : strings) wire += this->pack(s.size()) + s;
    feedChunks(r, wire, size);
    EXPECT_EQ(r.received, strings) << "chunk size " << size;
  }
}

TYPED_TEST(IntN, Partial) {
  Strings partials{this->pack(8) + "dzadz", "hello there", ""};
  if (this->kPrefix > 1) partials.push_back(this->pack(8).substr(0, this->kPrefix - 1));
  if (this->kFormat == PrefixFormat::U32BE) partials.push_back(std::string("\0\0\0", 3));
  if (this->kFormat == PrefixFormat::U16BE) partials.push_back(std::string("\0", 1));
  if (this->kFormat == PrefixFormat::U8) partials.push_back("\x08");
  for (auto& s : partials) {
    Tester<TypeParam> r;
    StringTransport t;
    r.makeConnection(t);
    test::feedBytes(r, s);
    EXPECT_TRUE(r.received.empty());
  }
}

TYPED_TEST(IntN, Send) {
  this->r.sendString(std::string(16, 'b'));
  EXPECT_EQ(this->t.written, this->pack(16) + std::string(16, 'b'));
}

TYPED_TEST(IntN, Illegal) {
  Strings illegal;
  switch (this->kFormat) {
    case PrefixFormat::U8:
      illegal.push_back(std::string("\x00\x00", 2) + "aaaaaa");
      break;
    case PrefixFormat::U16BE:
      illegal.push_back(std::string("\x10\x00", 2) + "aaaaaa");
      break;
    case PrefixFormat::U32BE:
      illegal.push_back(std::string("\x10\x00\x00\x00", 4) + "aaaaaa");
      break;
    default:
      illegal.push_back(this->pack(0x10ull << (8 * (this->kPrefix - 1))) + "aaaaaa");
  }
  for (auto& s : illegal) {
    for (size_t size = 1; size <= 9; ++size) {
      Tester<TypeParam> r;
      StringTransport t;
      r.makeConnection(t);
      feedChunks(r, s, size);
      EXPECT_TRUE(t.disconnecting()) << "chunk size " << size;
    }
  }
}

TYPED_TEST(IntN, LengthLimitExceededOnPrefixAlone) {
  for (size_t size = 1; size <= 9; ++size) {
    Tester<TypeParam> r;
    StringTransport t;
    r.makeConnection(t);
    r.maxLength = 10;
    feedChunks(r, this->pack(11), size);
    EXPECT_EQ(r.limits, std::vector<size_t>{11}) << "chunk size " << size;
  }
}

TYPED_TEST(IntN, ExactlyMaxLengthIsAccepted) {
  this->r.maxLength = 10;
  this->r.dataReceived(this->pack(10) + std::string(10, 'x'));
  EXPECT_EQ(this->r.received, Strings{std::string(10, 'x')});
  EXPECT_TRUE(this->r.limits.empty());
}

TYPED_TEST(IntN, LongStringNotDelivered) {
  for (size_t size = 1; size <= 9; ++size) {
    Tester<TypeParam> r;
    StringTransport t;
    r.makeConnection(t);
    r.maxLength = 10;
    feedChunks(r, this->pack(11) + std::string(11, 'x'), size);
    EXPECT_TRUE(r.received.empty());
    EXPECT_TRUE(t.disconnecting());
  }
}

TYPED_TEST(IntN, Data) {
  this->r.sendString("foo");
  EXPECT_EQ(this->t.written, this->pack(3) + "foo");
  this->r.dataReceived(this->pack(4) + "ubar");
  EXPECT_EQ(this->r.received, Strings{"ubar"});
}

TEST(IntNTwistedBytes, Data) {
  // The literal bytes of Twisted's test_data, big-endian.
  Tester<Int32StringReceiver> r32;
  Tester<Int16StringReceiver> r16;
  Tester<Int8StringReceiver> r8;
  StringTransport t32, t16, t8;
  r32.makeConnection(t32), r16.makeConnection(t16), r8.makeConnection(t8);
  r32.sendString("foo"), r16.sendString("foo"), r8.sendString("foo");
  EXPECT_EQ(t32.written, std::string("\x00\x00\x00\x03", 4) + "foo");
  EXPECT_EQ(t16.written, std::string("\x00\x03", 2) + "foo");
  EXPECT_EQ(t8.written,
            "\x03"
            "foo");
  r32.dataReceived(std::string("\x00\x00\x00\x04", 4) + "ubar");
  r16.dataReceived(std::string("\x00\x04", 2) + "ubar");
  r8.dataReceived(
      "\x04"
      "ubar");
  EXPECT_EQ(r32.received, Strings{"ubar"});
  EXPECT_EQ(r16.received, Strings{"ubar"});
  EXPECT_EQ(r8.received, Strings{"ubar"});
  // The seed applications' framing: 4-byte little-endian.
  Tester<Int32LEStringReceiver> le;
  StringTransport tle;
  le.makeConnection(tle);
  le.sendString("foo");
  EXPECT_EQ(tle.written, std::string("\x03\x00\x00\x00", 4) + "foo");
}

TYPED_TEST(IntN, TooLongSend) {
  const uint64_t max = maxPrefixedLength(this->kFormat);
  if (max < (1u << 20)) {
    EXPECT_THROW(this->r.sendString(std::string(max + 1, 'b')), Error);
    EXPECT_THROW(this->r.sendString(std::string(max + 2, 'b')), Error);  // Twisted's 2**n + 1
    EXPECT_TRUE(this->t.written.empty());
    this->r.sendString(std::string(max, 'b'));  // Twisted: 255 fits Int8
    EXPECT_EQ(this->t.written.size(), this->kPrefix + max);
  }
  try {
    char b[4];
    encodePrefix(this->kFormat, max + 1, b);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  }
}

TYPED_TEST(IntN, PauseHoldsCompleteStrings) {
  this->r.pauseAfterEach = true;
  std::string wire;
  for (auto s : {"one", "two", "three"}) wire += this->pack(std::string_view(s).size()) + s;
  this->r.dataReceived(wire);
  EXPECT_EQ(this->r.received, Strings{"one"});
  EXPECT_TRUE(this->t.paused);
  this->r.resumeProducing();
  EXPECT_EQ(this->r.received, (Strings{"one", "two"}));
  this->r.dataReceived(this->pack(1) + "4");  // arrives while paused: held
  EXPECT_EQ(this->r.received, (Strings{"one", "two"}));
  this->r.resumeProducing();
  this->r.resumeProducing();
  EXPECT_EQ(this->r.received, (Strings{"one", "two", "three", "4"}));
  this->r.resumeProducing();
  EXPECT_FALSE(this->r.paused());
}

TYPED_TEST(IntN, EmptyStrings) {
  this->r.dataReceived(this->pack(0) + this->pack(0) + this->pack(1) + "x");
  EXPECT_EQ(this->r.received, (Strings{"", "", "x"}));
}

TEST(IntN, HugePrefixNeverAllocates) {
  // 4 GiB announced: refused on the prefix alone, and nothing of it is buffered.
  Tester<Int32LEStringReceiver> r;
  StringTransport t;
  r.makeConnection(t);
  r.disconnectOnLimit = false;
  r.dataReceived(std::string("\xff\xff\xff\xff", 4) + std::string(1000, 'z'));
  EXPECT_EQ(r.limits, std::vector<size_t>{0xffffffffu});
  EXPECT_EQ(r.stats().bytesBuffered, 0u);
  EXPECT_EQ(r.stats().bytesCopied, 0u);
  // Even when the limit allows it, the prefix reserves nothing: only bytes that arrived are held.
  Tester<Int32StringReceiver> big;
  big.maxLength = std::numeric_limits<size_t>::max();
  big.dataReceived(std::string("\xff\xff\xff\xff", 4) + "0123456789");
  EXPECT_TRUE(big.limits.empty());
  EXPECT_EQ(big.stats().bytesBuffered, 14u);
  EXPECT_EQ(big.stats().bytesCopied, 14u);
}

TEST(IntN, RuntimeFormat) {
  class Runtime : public IntNStringReceiver {
   public:
    using IntNStringReceiver::IntNStringReceiver;
    void stringReceived(std::string_view s) override { received.emplace_back(s); }
    Strings received;
  };
  for (auto name : {"u8", "u16be", "u16le", "u32be", "u32le"}) {
    auto format = parsePrefixFormat(name);
    ASSERT_TRUE(format.has_value());
    Runtime r(*format);
    EXPECT_EQ(r.prefixFormat(), *format);
    EXPECT_EQ(r.maxLength, 99999u);
    feedChunks(r, frameLengthPrefixed(*format, "hello") + frameLengthPrefixed(*format, ""), 3);
    EXPECT_EQ(r.received, (Strings{"hello", ""})) << name;
  }
}

}  // namespace
}  // namespace weft
