// Framing helpers and the echo servers the harness runs.
#include <gtest/gtest.h>

#include <string>

#include "support.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/echo_servers.hpp"
#include "weft/protocols/framing.hpp"

namespace weft {
namespace {

using testing::StringTransport;

TEST(Framing, PrefixFormatNames) {
  for (auto [name, format] : {std::pair{"u8", PrefixFormat::U8},
                              {"u16be", PrefixFormat::U16BE},
                              {"u16le", PrefixFormat::U16LE},
                              {"u32be", PrefixFormat::U32BE},
                              {"u32le", PrefixFormat::U32LE}}) {
    EXPECT_EQ(parsePrefixFormat(name), format);
    EXPECT_EQ(prefixFormatName(format), name);
  }
  EXPECT_EQ(parsePrefixFormat("U32LE"), PrefixFormat::U32LE);
  EXPECT_FALSE(parsePrefixFormat("u64le").has_value());
  EXPECT_FALSE(parsePrefixFormat("").has_value());
}

TEST(Framing, PrefixBytes) {
  EXPECT_EQ(frameLengthPrefixed(PrefixFormat::U8, "ab"),
            "\x02"
            "ab");
  EXPECT_EQ(frameLengthPrefixed(PrefixFormat::U16BE, "ab"), std::string("\x00\x02"
                                                                        "ab",
                                                                        4));
  EXPECT_EQ(frameLengthPrefixed(PrefixFormat::U16LE, "ab"), std::string("\x02\x00"
                                                                        "ab",
                                                                        4));
  EXPECT_EQ(frameLengthPrefixed(PrefixFormat::U32BE, "ab"), std::string("\x00\x00\x00\x02"
                                                                        "ab",
                                                                        6));
  EXPECT_EQ(frameLengthPrefixed(PrefixFormat::U32LE, "ab"), std::string("\x02\x00\x00\x00"
                                                                        "ab",
                                                                        6));
  char b[4];
  for (auto f : {PrefixFormat::U8, PrefixFormat::U16BE, PrefixFormat::U16LE, PrefixFormat::U32BE,
                 PrefixFormat::U32LE}) {
    for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{200}, maxPrefixedLength(f)}) {
      encodePrefix(f, v, b);
      EXPECT_EQ(decodePrefix(f, b), v);
    }
    EXPECT_THROW(encodePrefix(f, maxPrefixedLength(f) + 1, b), Error);
  }
  EXPECT_THROW(frameLengthPrefixed(PrefixFormat::U8, std::string(256, 'x')), Error);
}

TEST(Framing, NetstringsAndLines) {
  EXPECT_EQ(frameNetstring(""), "0:,");
  EXPECT_EQ(frameNetstring("hello"), "5:hello,");
  EXPECT_EQ(frameLine("hi"), "hi\r\n");
  EXPECT_EQ(frameLine("hi", "\n"), "hi\n");
  std::string out;
  appendNetstring(out, "a");
  appendLine(out, "b", "\n");
  appendLengthPrefixed(out, PrefixFormat::U8, "c");
  EXPECT_EQ(out,
            "1:a,b\n\x01"
            "c");
}

TEST(EchoServers, Names) {
  EXPECT_EQ(parseEchoProtocol("echo"), EchoProtocol::Echo);
  EXPECT_EQ(parseEchoProtocol("lenprefix"), EchoProtocol::LengthPrefix);
  EXPECT_EQ(parseEchoProtocol("line"), EchoProtocol::Line);
  EXPECT_EQ(parseEchoProtocol("netstring"), EchoProtocol::Netstring);
  EXPECT_FALSE(parseEchoProtocol("http").has_value());
  EXPECT_EQ(parseDelimiter("crlf"), "\r\n");
  EXPECT_EQ(parseDelimiter("lf"), "\n");
  EXPECT_FALSE(parseDelimiter("cr").has_value());
}

std::string echo(const EchoServerOptions& options, std::string_view input, size_t chunk,
                 bool* disconnected = nullptr) {
  auto factory = makeEchoServerFactory(options);
  auto proto = factory->buildProtocol(*Address::parse("127.0.0.1", 1));
  StringTransport t;
  proto->makeConnection(t);
  test::feedChunks(*proto, input, chunk);
  if (disconnected) *disconnected = t.disconnecting();
  return t.written;
}

class EchoChunk : public ::testing::TestWithParam<size_t> {};
INSTANTIATE_TEST_SUITE_P(OneToNine, EchoChunk, ::testing::Range<size_t>(1, 10));

TEST_P(EchoChunk, RawEcho) {
  // wire.Echo: five dataReceived calls come back as one stream (WireTests.test_echo).
  EXPECT_EQ(echo({}, "helloworldhowareyou", GetParam()), "helloworldhowareyou");
}

TEST_P(EchoChunk, LengthPrefixEcho) {
  for (auto f : {PrefixFormat::U8, PrefixFormat::U16BE, PrefixFormat::U16LE, PrefixFormat::U32BE,
                 PrefixFormat::U32LE}) {
    EchoServerOptions o;
    o.protocol = EchoProtocol::LengthPrefix;
    o.prefix = f;
    std::string wire = frameLengthPrefixed(f, "hello") + frameLengthPrefixed(f, "") +
                       frameLengthPrefixed(f, "world");
    EXPECT_EQ(echo(o, wire, GetParam()), wire);
  }
}

TEST_P(EchoChunk, LengthPrefixEchoDefaultsToU32LE) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::LengthPrefix;
  std::string wire = std::string("\x03\x00\x00\x00", 4) + "abc";
  EXPECT_EQ(echo(o, wire, GetParam()), wire);
}

TEST_P(EchoChunk, LengthPrefixMaxLength) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::LengthPrefix;
  o.maxLength = 4;
  bool disconnected = false;
  std::string ok = frameLengthPrefixed(PrefixFormat::U32LE, "abcd");
  std::string out = echo(o, ok + frameLengthPrefixed(PrefixFormat::U32LE, "abcde") + ok, GetParam(),
                         &disconnected);
  EXPECT_EQ(out, ok);
  EXPECT_TRUE(disconnected);
}

TEST_P(EchoChunk, LineEcho) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::Line;
  EXPECT_EQ(echo(o, "one\r\ntwo\r\n\r\npartial", GetParam()), "one\r\ntwo\r\n\r\n");
  o.delimiter = "\n";
  EXPECT_EQ(echo(o, "one\ntwo\r\n", GetParam()), "one\ntwo\r\n");
  o.maxLength = 3;
  bool disconnected = false;
  EXPECT_EQ(echo(o, "abc\nabcd\nabc\n", GetParam(), &disconnected), "abc\n");
  EXPECT_TRUE(disconnected);
}

TEST_P(EchoChunk, NetstringEcho) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::Netstring;
  EXPECT_EQ(echo(o, "3:abc,0:,5:hello,2:x", GetParam()), "3:abc,0:,5:hello,");
  bool disconnected = false;
  EXPECT_EQ(echo(o, "1:a,x", GetParam(), &disconnected), "1:a,");
  EXPECT_TRUE(disconnected);
}

TEST(EchoServers, FactoryRejectsEmptyDelimiter) {
  EchoServerOptions o;
  o.protocol = EchoProtocol::Line;
  o.delimiter = "";
  EXPECT_THROW(makeEchoServerFactory(o), Error);
}

}  // namespace
}  // namespace weft
