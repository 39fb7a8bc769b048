// `weft serve --listen DESCRIPTION` and `weft connect --endpoint DESCRIPTION`: endpoint
// description strings in place of host and port.
#include <gtest/gtest.h>

#include "common/process.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::runWeft;

TEST(EndpointCli, ServeListenAndConnectEndpointRoundTrip) {
  Child server = spawn({WEFT_EXE, "serve", "--reactor", "epoll", "--protocol", "line", "--listen",
                        "tcp:0:interface=127.0.0.1"});
  auto line = server.readLine(Seconds(30));
  ASSERT_TRUE(line);
  ASSERT_EQ(line->rfind("listening on 127.0.0.1:", 0), 0u) << *line;
  std::string port = line->substr(line->rfind(':') + 1);
  auto r = runWeft({"connect", "--endpoint", "tcp:host=127.0.0.1:port=" + port, "--protocol",
                    "line", "--send", "hello", "--send", "world"},
                   60);
  EXPECT_EQ(r.exitCode(), 0) << r.err;
  EXPECT_EQ(r.out, "hello\nworld\n");
  server.stop(Seconds(10));
}

TEST(EndpointCli, ConnectEndpointRefusedNamesTheReason) {
  Child server = spawn({WEFT_EXE, "serve", "--reactor", "epoll", "--listen",
                        "tcp:0:interface=127.0.0.1"});
  auto line = server.readLine(Seconds(30));
  ASSERT_TRUE(line);
  std::string port = line->substr(line->rfind(':') + 1);
  server.stop(Seconds(10));  // nothing listens there any more
  auto r = runWeft({"connect", "--endpoint", "tcp:127.0.0.1:" + port, "--send", "x"}, 60);
  EXPECT_EQ(r.exitCode(), 1) << r.out << r.err;
  EXPECT_NE(r.err.find("ConnectionRefused"), std::string::npos) << r.err;
}

TEST(EndpointCli, BadDescriptionsAreUsageErrorsNamingTheProblem) {
  auto serve = runWeft({"serve", "--listen", "bogus:8000"}, 30);
  EXPECT_EQ(serve.exitCode(), 2);
  EXPECT_NE(serve.err.find("unknown endpoint type 'bogus'"), std::string::npos) << serve.err;
  auto connect = runWeft({"connect", "--endpoint", "tcp:host=127.0.0.1:port=1:colour=red"}, 30);
  EXPECT_EQ(connect.exitCode(), 2);
  EXPECT_NE(connect.err.find("unknown parameter 'colour'"), std::string::npos) << connect.err;
  auto neither = runWeft({"connect", "--send", "x"}, 30);
  EXPECT_EQ(neither.exitCode(), 2) << "a target or an endpoint is required";
}

}  // namespace
}  // namespace weft::harness
