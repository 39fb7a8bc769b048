// `weft connect` sending the lines of its stdin, driven through the harness's Child stdin pipe:
// the one test built on every platform (ci/windows runs it under Wine), so the Windows pipe
// code of SpawnOptions::pipeStdin / writeStdin / closeStdin is exercised, not only compiled.
#include <gtest/gtest.h>

#include <string>

#include "common/process.hpp"

namespace weft::harness {
namespace {

TEST(ConnectStdin, EachLineOfStdinIsSentAndItsReplyPrinted) {
  Child server = spawn({WEFT_EXE, "serve", "--reactor", "select", "--protocol", "line"});
  ASSERT_GT(server.pid(), 0) << server.spawnError();
  auto listening = server.readLine(Seconds(30));
  ASSERT_TRUE(listening);
  ASSERT_EQ(listening->rfind("listening on ", 0), 0u) << *listening;
  const std::string target = listening->substr(std::string("listening on ").size());

  SpawnOptions opts;
  opts.pipeStdin = true;
  Child client =
      spawn({WEFT_EXE, "connect", target, "--protocol", "line", "--timeout", "20"}, opts);
  ASSERT_GT(client.pid(), 0) << client.spawnError();
  ASSERT_TRUE(client.writeStdin("hello\n"));
  ASSERT_TRUE(client.writeStdin("second line\n"));
  client.closeStdin();  // connect sends what it read once stdin ends
  std::string out = client.readAll(Seconds(30));
  auto status = client.wait(Seconds(30));
  ASSERT_TRUE(status) << "connect did not exit; printed: " << out;
  EXPECT_TRUE(exitedWith(*status, 0)) << describeStatus(*status);
  // Windows' console conventions are not the point: compare without carriage returns.
  std::erase(out, '\r');
  EXPECT_EQ(out, "hello\nsecond line\n");
  EXPECT_FALSE(client.writeStdin("late\n")) << "stdin was closed";
  server.stop(Seconds(10));
}

}  // namespace
}  // namespace weft::harness
