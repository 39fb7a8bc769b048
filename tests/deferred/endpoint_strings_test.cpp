// Endpoint description strings, without a reactor: the tcp cases of Twisted's
// test_endpoints.py (ServerStringTests, ClientStringTests, the tokenizer's escapes), plus
// bad input, each a named EndpointStringError.
#include <gtest/gtest.h>

#include <string>

#include "weft/endpoint_strings.hpp"

namespace weft::test {
namespace {

// The error's message, or "" if parsing succeeded.
template <class F>
std::string errorOf(F f) {
  try {
    f();
  } catch (const EndpointStringError& e) {
    return e.what();
  }
  return "";
}

TEST(EndpointStrings, FieldsKeywordsAndEscapes) {
  auto d = parseEndpointDescription(R"(tcp:a\:b:c=d\\e:f=g=h:\=x)");
  EXPECT_EQ(d.type, "tcp");
  ASSERT_EQ(d.args.size(), 2u);
  EXPECT_EQ(d.args[0], "a:b");
  EXPECT_EQ(d.args[1], "=x") << "an escaped '=' does not make a keyword";
  ASSERT_EQ(d.kwargs.size(), 2u);
  EXPECT_EQ(d.kwargs[0], (std::pair<std::string, std::string>{"c", R"(d\e)"}));
  EXPECT_EQ(d.kwargs[1], (std::pair<std::string, std::string>{"f", "g=h"}))
      << "only the first '=' separates key from value";
}

TEST(EndpointStrings, TcpServerWithEveryParameter) {
  auto s = parseServerDescription("tcp:1234:backlog=12:interface=10.0.0.1");
  EXPECT_EQ(s.port, 1234);
  EXPECT_EQ(s.backlog, 12);
  EXPECT_EQ(s.interface, "10.0.0.1");
}

TEST(EndpointStrings, TcpServerDefaults) {
  auto s = parseServerDescription("tcp:80");
  EXPECT_EQ(s.port, 80);
  EXPECT_EQ(s.backlog, 50);
  EXPECT_EQ(s.interface, "0.0.0.0") << "Twisted listens on every interface by default";
  auto byName = parseServerDescription("tcp:port=81");
  EXPECT_EQ(byName.port, 81);
}

TEST(EndpointStrings, Tcp6ServerWithEscapedInterface) {
  auto s = parseServerDescription(R"(tcp6:8000:interface=\:\:1)");
  EXPECT_EQ(s.port, 8000);
  EXPECT_EQ(s.interface, "::1");
  EXPECT_EQ(parseServerDescription("tcp6:8000").interface, "::");
}

TEST(EndpointStrings, TcpClientByKeyword) {
  auto c = parseClientDescription("tcp:host=example.com:port=1234:timeout=7:bindAddress=10.0.0.2");
  EXPECT_EQ(c.host, "example.com");
  EXPECT_EQ(c.port, 1234);
  EXPECT_EQ(c.timeout.count(), 7);
  EXPECT_EQ(c.bindAddress, "10.0.0.2");
}

TEST(EndpointStrings, TcpClientPositionalAndDefaults) {
  auto c = parseClientDescription("tcp:example.com:80");
  EXPECT_EQ(c.host, "example.com");
  EXPECT_EQ(c.port, 80);
  EXPECT_EQ(c.timeout.count(), 30);
  EXPECT_FALSE(c.bindAddress);
  auto mixed = parseClientDescription("tcp:example.com:port=81");
  EXPECT_EQ(mixed.port, 81);
  auto v6 = parseClientDescription(R"(tcp6:host=\:\:1:port=9)");
  EXPECT_EQ(v6.host, "::1");
}

TEST(EndpointStrings, UnknownTypeIsNamed) {
  auto e = errorOf([] { parseServerDescription("foo:bar:baz=quux"); });
  EXPECT_NE(e.find("unknown endpoint type 'foo'"), std::string::npos) << e;
  e = errorOf([] { parseClientDescription("foo:host=x:port=1"); });
  EXPECT_NE(e.find("'foo'"), std::string::npos) << e;
}

TEST(EndpointStrings, UnixAndSslAreKnownButNotYetSupported) {
  auto e = errorOf([] { parseServerDescription("unix:/var/run/x.sock:mode=660"); });
  EXPECT_NE(e.find("'unix' is not supported yet"), std::string::npos) << e;
  e = errorOf([] { parseServerDescription("ssl:443:privateKey=key.pem"); });
  EXPECT_NE(e.find("'ssl' is not supported yet"), std::string::npos) << e;
}

TEST(EndpointStrings, UnknownParameterIsNamed) {
  auto e = errorOf([] { parseServerDescription("tcp:80:colour=blue"); });
  EXPECT_NE(e.find("unknown parameter 'colour'"), std::string::npos) << e;
  e = errorOf([] { parseClientDescription("tcp:host=a:port=1:interface=x"); });
  EXPECT_NE(e.find("unknown parameter 'interface'"), std::string::npos) << e;
  e = errorOf([] { parseClientDescription("tcp:host=a:prt=1"); });
  EXPECT_NE(e.find("unknown parameter 'prt'"), std::string::npos)
      << "a misspelt name is reported, not the value it leaves missing: " << e;
  e = errorOf([] { parseServerDescription("tcp:80:81"); });
  EXPECT_NE(e.find("unexpected argument '81'"), std::string::npos) << e;
}

TEST(EndpointStrings, BadValuesAreNamed) {
  auto e = errorOf([] { parseServerDescription("tcp:http"); });
  EXPECT_NE(e.find("bad port 'http'"), std::string::npos) << e;
  e = errorOf([] { parseServerDescription("tcp:70000"); });
  EXPECT_NE(e.find("bad port '70000'"), std::string::npos) << e;
  e = errorOf([] { parseServerDescription("tcp:80:backlog=lots"); });
  EXPECT_NE(e.find("bad backlog 'lots'"), std::string::npos) << e;
  e = errorOf([] { parseClientDescription("tcp:host=a:port=1:timeout=-3"); });
  EXPECT_NE(e.find("bad timeout '-3'"), std::string::npos) << e;
}

TEST(EndpointStrings, MissingOrRepeatedValuesAreNamed) {
  auto e = errorOf([] { parseServerDescription("tcp:interface=127.0.0.1"); });
  EXPECT_NE(e.find("missing port"), std::string::npos) << e;
  e = errorOf([] { parseClientDescription("tcp:port=80"); });
  EXPECT_NE(e.find("missing host"), std::string::npos) << e;
  e = errorOf([] { parseServerDescription("tcp:80:backlog=1:backlog=2"); });
  EXPECT_NE(e.find("'backlog' given twice"), std::string::npos) << e;
  e = errorOf([] { parseServerDescription("tcp:80:port=81"); });
  EXPECT_NE(e.find("'port' given both by position and by name"), std::string::npos) << e;
  e = errorOf([] { parseServerDescription(""); });
  EXPECT_NE(e.find("empty endpoint description"), std::string::npos) << e;
}

TEST(EndpointStrings, ALoneTrailingBackslashIsAnError) {
  auto e = errorOf([] { parseServerDescription("tcp:80:interface=x\\"); });
  EXPECT_NE(e.find("lone backslash"), std::string::npos) << e;
}

}  // namespace
}  // namespace weft::test
