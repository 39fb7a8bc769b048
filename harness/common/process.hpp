// Child processes for the harness: spawn (optionally pinned to a CPU), read the first stdout
// line with a deadline, wait with a timeout, ask to stop, kill. Every child the harness starts
// is stopped through these, by PID or handle, never by name.
//
// POSIX (process_posix.cpp): fork/exec, SIGTERM/SIGKILL, /proc. Windows (process_win.cpp):
// CreateProcess with a stdout pipe, the stop request of stop_request.hpp, TerminateProcess,
// GetProcessMemoryInfo. What both share (line buffering, stop = ask, wait, kill) is in
// process.cpp.
#pragma once

#ifndef _WIN32
#include <sys/types.h>
#endif

#include <chrono>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weft::harness {

using Seconds = std::chrono::duration<double>;

#ifdef _WIN32
using ProcessId = unsigned long;  // DWORD, without <windows.h> in every user
#else
using ProcessId = pid_t;
#endif

// A child's status: the wait status on POSIX, the exit code on Windows. kUnknownStatus when
// none could be had (describeStatus says "unknown").
constexpr int kUnknownStatus = INT_MIN;

struct SpawnOptions {
  int cpu = -1;               // pin the child to this CPU, -1 = don't
  bool captureStdout = true;  // else inherited
  bool pipeStdin = false;     // a pipe for writeStdin(); else inherited (Windows: NUL)
  std::string stderrPath;     // "" = inherit; "/dev/null" to silence (NUL on Windows)
};

class Child {
 public:
  struct Native;  // pid + stdout fd (POSIX); process and pipe handles (Windows)

  Child();
  explicit Child(std::unique_ptr<Native> n);
  Child(Child&& o) noexcept;
  Child& operator=(Child&& o) noexcept;
  ~Child();  // kills and reaps a child that is still running

  // A Child that never started, and why (spawn() failed: "CreateProcess: error 2").
  static Child failed(std::string why);
  const std::string& spawnError() const { return spawnError_; }

  ProcessId pid() const;  // 0 when there is no child
  bool running() const { return n_ && !status_; }
  // One line from stdout (without "\n" or "\r\n"), or nullopt on EOF / timeout.
  std::optional<std::string> readLine(Seconds timeout);
  // Everything left on stdout until EOF or the timeout.
  std::string readAll(Seconds timeout);
  // With SpawnOptions::pipeStdin: writes all of `text` (blocking while the pipe is full).
  // False when there is no pipe or the child closed its end (POSIX: ignore SIGPIPE first).
  bool writeStdin(std::string_view text);
  // The child reads EOF on stdin.
  void closeStdin();
  // The status once the child exited within the timeout.
  std::optional<int> wait(Seconds timeout);
  // Ask the child to shut down cleanly (SIGTERM; on Windows its stop event). False if it
  // cannot be asked (a Windows child that is not `weft serve` has no stop event).
  bool requestStop();
  // Ends the child at once (SIGKILL; TerminateProcess).
  void kill();
#ifndef _WIN32
  void signal(int sig);
#endif
  // requestStop(), wait up to `grace`, then kill(). Returns the status.
  int stop(Seconds grace);

 private:
  // Reads what stdout has within `timeout` into pending_: > 0 bytes read, 0 at EOF, -1 when
  // nothing came in time.
  long readSome(Seconds timeout);
  void release();  // kill + reap if running, close handles

  std::unique_ptr<Native> n_;
  std::string pending_;
  std::optional<int> status_;
  std::string spawnError_;
};

// On failure the Child has pid() 0 and says why in spawnError(), also when the program could
// not be executed ("cannot start PATH: No such file or directory").
Child spawn(const std::vector<std::string>& argv, const SpawnOptions& opts = {});

// "exit 0", "exit 3", "signal 9 (Killed)", "exception 0xC0000005", "unknown".
std::string describeStatus(int status);
bool exitedWith(int status, int code);

ProcessId currentProcessId();
// Pin the calling process to one CPU; false if that CPU does not exist.
bool pinToCpu(int cpu);
int cpuCount();
// Raise RLIMIT_NOFILE's soft limit to the hard limit (1000-connection scenarios). Windows has
// no such limit on sockets: nothing to do there.
void raiseFdLimit();
bool stderrIsTerminal();

// A process's CPU time and memory: /proc/PID on Linux, GetProcessTimes and
// GetProcessMemoryInfo (working set = RSS, peak working set = HWM) on Windows.
struct ProcStats {
  double cpuSeconds = 0;  // user + system, all threads
  long vmRssKb = 0;
  long vmHwmKb = 0;
};
std::optional<ProcStats> readProcStats(ProcessId pid);

// The path of the running executable, to re-exec ourselves.
std::string selfExe();

}  // namespace weft::harness
