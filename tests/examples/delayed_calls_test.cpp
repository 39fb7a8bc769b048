// delayed-calls --fast: ticks at 10, 20, 30, 40 ms in order and never early, stop at 50 ms,
// exit 0.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>

#include "example_test.hpp"

namespace weft::test {
namespace {

class DelayedCallsTest : public ExampleTest {};

// "tick 3 at 0.031 s" -> 0.031
double secondsIn(const std::string& line) {
  double s = -1;
  auto at = line.find(" at ");
  if (at != std::string::npos) std::sscanf(line.c_str() + at + 4, "%lf", &s);
  return s;
}

TEST_P(DelayedCallsTest, TicksInOrderThenStops) {
  auto begin = std::chrono::steady_clock::now();
  auto program = startProgram(WEFT_EXAMPLE_DELAYED_CALLS, {"--fast"});
  EXPECT_EQ(program->readLine(), "started with reactor " + reactor());
  for (int n = 1; n <= 4; ++n) {
    auto line = program->readLine().value_or("");
    EXPECT_TRUE(line.starts_with("tick " + std::to_string(n) + " at ")) << line;
    EXPECT_GE(secondsIn(line), n * 0.01 - 1e-9) << line;  // printed rounded to 1 ms
  }
  auto last = program->readLine().value_or("");
  EXPECT_TRUE(last.starts_with("stopping at ")) << last;
  EXPECT_GE(secondsIn(last), 0.05 - 1e-9) << last;
  auto status = program->wait();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(50));
  EXPECT_EQ(program->readAll(), "");
}

WEFT_FOR_EVERY_REACTOR(DelayedCallsTest);

}  // namespace
}  // namespace weft::test
