// Child processes for the harness: spawn (optionally pinned to a CPU), read the first stdout
// line with a deadline, wait with a timeout, stop by PID. Every child the harness starts is
// stopped through these, by PID, never by name.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace weft::harness {

using Seconds = std::chrono::duration<double>;

struct SpawnOptions {
  int cpu = -1;               // pin the child to this CPU (sched_setaffinity), -1 = don't
  bool captureStdout = true;  // else inherited
  std::string stderrPath;     // "" = inherit; "/dev/null" to silence
};

class Child {
 public:
  Child() = default;
  Child(pid_t pid, int stdoutFd) : pid_(pid), out_(stdoutFd) {}
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  ~Child();  // kills (SIGKILL) and reaps a child that is still running

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  // One line from stdout (without "\n"), or nullopt on EOF / timeout.
  std::optional<std::string> readLine(Seconds timeout);
  // Everything left on stdout until EOF or the timeout.
  std::string readAll(Seconds timeout);
  // The wait status once the child exited within the timeout.
  std::optional<int> wait(Seconds timeout);
  void signal(int sig);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the wait status.
  int stop(Seconds grace);

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  std::optional<int> status_;
};

Child spawn(const std::vector<std::string>& argv, const SpawnOptions& opts = {});

// "exit 0", "exit 3", "signal 9 (Killed)".
std::string describeStatus(int status);
bool exitedWith(int status, int code);

// Pin the calling process to one CPU; false if that CPU does not exist.
bool pinToCpu(int cpu);
int cpuCount();
// Raise RLIMIT_NOFILE's soft limit to the hard limit (1000-connection scenarios).
void raiseFdLimit();

// /proc/PID figures used for server CPU and memory.
struct ProcStats {
  double cpuSeconds = 0;  // utime + stime
  long vmRssKb = 0;
  long vmHwmKb = 0;
};
std::optional<ProcStats> readProcStats(pid_t pid);

// The path of the running executable (/proc/self/exe), to re-exec ourselves.
std::string selfExe();

}  // namespace weft::harness
