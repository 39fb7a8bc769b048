// A child process with its stdin and stdout on pipes: the examples are driven as a user
// drives them (arguments, stdin, stdout, SIGTERM) and checked from outside. Every wait has a
// deadline; the destructor kills (by PID) and reaps a child still running, so a failing test
// never leaves one behind, and a child gets SIGKILL when the test process dies (ctest's
// timeout kills it without running destructors).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::test {

using Seconds = std::chrono::duration<double>;
inline constexpr Seconds kIoTimeout{5.0};  // one reply, one line, one exit

class ChildProcess {
 public:
  // stderr is inherited, so an example's diagnostics land in the test log. Throws
  // std::runtime_error if the program cannot be started.
  explicit ChildProcess(const std::vector<std::string>& argv);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // One stdout line without its "\n"; nullopt on EOF or timeout.
  std::optional<std::string> readLine(Seconds timeout = kIoTimeout);
  // Everything until EOF (or the timeout).
  std::string readAll(Seconds timeout = kIoTimeout);
  void writeStdin(std::string_view text);
  void closeStdin();
  // The raw wait status once the child exited within the timeout.
  std::optional<int> wait(Seconds timeout = kIoTimeout);
  // SIGTERM by PID, then wait; nullopt if it did not exit in time (it is killed later).
  std::optional<int> terminate(Seconds timeout = kIoTimeout);

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string pending_;
  std::optional<int> status_;
};

// "exit 0", "exit 2", "signal 9".
std::string describeStatus(std::optional<int> status);

}  // namespace weft::test
