// A child process with its stdin and stdout on pipes: the examples are driven as a user
// drives them (arguments, stdin, stdout, SIGTERM) and checked from outside. A thin test-side
// face of the harness's Child (harness/common/process.hpp): it throws when the program cannot
// start, and every wait has a default deadline. The Child kills (by PID) and reaps a child
// still running when it is destroyed, and a child gets SIGKILL when the test process dies
// (ctest's timeout kills it without running destructors).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/process.hpp"

namespace weft::test {

using Seconds = harness::Seconds;
inline constexpr Seconds kIoTimeout{5.0};  // one reply, one line, one exit

class ChildProcess {
 public:
  // stderr is inherited, so an example's diagnostics land in the test log. Throws
  // std::runtime_error if the program cannot be started.
  explicit ChildProcess(const std::vector<std::string>& argv);

  pid_t pid() const { return child_.pid(); }
  // One stdout line without its "\n"; nullopt on EOF or timeout.
  std::optional<std::string> readLine(Seconds timeout = kIoTimeout) {
    return child_.readLine(timeout);
  }
  // Everything until EOF (or the timeout).
  std::string readAll(Seconds timeout = kIoTimeout) { return child_.readAll(timeout); }
  // Throws std::runtime_error if the child no longer reads its stdin.
  void writeStdin(std::string_view text);
  void closeStdin() { child_.closeStdin(); }
  // The raw wait status once the child exited within the timeout.
  std::optional<int> wait(Seconds timeout = kIoTimeout) { return child_.wait(timeout); }
  // SIGTERM by PID, then wait; nullopt if it did not exit in time (it is killed later).
  std::optional<int> terminate(Seconds timeout = kIoTimeout);

 private:
  harness::Child child_;
};

// "exit 0", "exit 2", "signal 9 (Killed)", or "still running".
std::string describeStatus(std::optional<int> status);

}  // namespace weft::test
