// Child processes on POSIX: fork/exec with stdout and stdin pipes, SIGTERM/SIGKILL by PID, /proc.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "process.hpp"
#include "process_native.hpp"
#include "stop_request.hpp"

namespace weft::harness {

namespace {
int toMs(Seconds s) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s).count();
  return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}
}  // namespace

void Child::release() {
  if (!n_) return;
  if (!status_) {
    ::kill(n_->pid, SIGKILL);
    int st = 0;
    waitpid(n_->pid, &st, 0);
  }
  if (n_->out >= 0) close(n_->out);
  if (n_->in >= 0) close(n_->in);
  n_.reset();
}

long Child::readSome(Seconds timeout) {
  if (!n_ || n_->out < 0) return 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pollfd p{n_->out, POLLIN, 0};
    int r = poll(&p, 1, toMs(deadline - std::chrono::steady_clock::now()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 0;
    if (r == 0) return -1;
    char buf[65536];
    ssize_t n = read(n_->out, buf, sizeof buf);
    if (n <= 0) return 0;
    pending_.append(buf, static_cast<size_t>(n));
    return n;
  }
}

bool Child::writeStdin(std::string_view text) {
  if (!n_ || n_->in < 0) return false;
  while (!text.empty()) {
    ssize_t n = write(n_->in, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Child::closeStdin() {
  if (n_ && n_->in >= 0) {
    close(n_->in);
    n_->in = -1;
  }
}

std::optional<int> Child::wait(Seconds timeout) {
  if (status_) return status_;
  if (!n_) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::nanoseconds>(timeout);
  auto nap = std::chrono::milliseconds(1);
  for (;;) {
    int st = 0;
    pid_t r = waitpid(n_->pid, &st, WNOHANG);
    if (r == n_->pid) {
      status_ = st;
      return status_;
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::milliseconds(20));
  }
}

void Child::signal(int sig) {
  if (running()) ::kill(n_->pid, sig);
}

bool Child::requestStop() {
  return running() && weft::harness::requestStop(n_->pid);
}

void Child::kill() {
  signal(SIGKILL);
}

namespace {
// The parent's ends of a child's pipes until the child runs, closed unless handed over.
struct Pipe {
  int read = -1, write = -1;
  bool open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0], write = fds[1];
    return true;
  }
  ~Pipe() {
    if (read >= 0) close(read);
    if (write >= 0) close(write);
  }
  static int take(int& fd) { return std::exchange(fd, -1); }
};
}  // namespace

Child spawn(const std::vector<std::string>& argv, const SpawnOptions& opts) {
  if (argv.empty()) return Child::failed("no program to run");
  Pipe out, in, report;
  // A failed exec reports its errno on `report`; a successful one closes it (close-on-exec).
  if ((opts.captureStdout && !out.open()) || (opts.pipeStdin && !in.open()) || !report.open()) {
    return Child::failed(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    // It dies with weft (a killed `weft check` or `weft bench` must not leave servers and load
    // generators behind, still pinned to a CPU). The signal follows the forking thread, and
    // every spawn happens on weft's one thread, which lives as long as the process.
    // dup2 clears close-on-exec on the copy, so only stdin/stdout reach the program.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() == parent &&
        (!opts.captureStdout || dup2(out.write, STDOUT_FILENO) >= 0) &&
        (!opts.pipeStdin || dup2(in.read, STDIN_FILENO) >= 0)) {
      if (!opts.stderrPath.empty()) {
        int fd = open(opts.stderrPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) dup2(fd, STDERR_FILENO);
      }
      if (opts.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(opts.cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
      }
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execv(args[0], args.data());
    }
    const int e = errno ? errno : ESRCH;  // ESRCH: weft died before the child was set up
    (void)!write(report.write, &e, sizeof e);
    _exit(127);
  }
  if (pid < 0) return Child::failed(std::string("fork: ") + std::strerror(errno));
  close(Pipe::take(report.write));
  int err = 0;
  ssize_t got;
  while ((got = read(report.read, &err, sizeof err)) < 0 && errno == EINTR) {
  }
  if (got == sizeof err) {
    waitpid(pid, nullptr, 0);  // it exits right after reporting
    return Child::failed("cannot start " + argv[0] + ": " + std::strerror(err));
  }
  auto n = std::make_unique<Child::Native>();
  n->pid = pid;
  n->out = Pipe::take(out.read);
  n->in = Pipe::take(in.write);
  return Child(std::move(n));
}

std::string describeStatus(int status) {
  if (status < 0) return "unknown";
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "status " + std::to_string(status);
}

bool exitedWith(int status, int code) {
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

ProcessId currentProcessId() {
  return getpid();
}

bool pinToCpu(int cpu) {
  if (cpu < 0) return true;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

int cpuCount() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

void raiseFdLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

bool stderrIsTerminal() {
  return isatty(STDERR_FILENO);
}

namespace {

// CPU time from the scheduler's own accounting: se.sum_exec_runtime (ms, 6 decimals) in each
// thread's /proc/PID/task/TID/sched. /proc/PID/stat counts clock ticks (10 ms): a server at
// 40% of a core over a 0.4 s window uses 16 ticks, so one tick more or less is a 6% swing in
// CPU per message. The sched file needs CONFIG_SCHED_DEBUG; without it, nullopt (use stat).
// Threads that exited during the window are missing here; the servers measured keep theirs.
std::optional<double> schedCpuSeconds(ProcessId pid) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return std::nullopt;
  double ms = 0;
  bool any = false;
  for (const auto& task : tasks) {
    std::ifstream sched(task.path() / "sched");
    for (std::string line; std::getline(sched, line);) {
      if (line.rfind("se.sum_exec_runtime", 0) != 0) continue;
      ms += std::strtod(line.c_str() + line.find(':') + 1, nullptr);
      any = true;
      break;
    }
  }
  if (!any) return std::nullopt;
  return ms / 1e3;
}

}  // namespace

std::optional<ProcStats> readProcStats(ProcessId pid) {
  ProcStats s;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // The command name may contain spaces: fields resume after the last ')'.
  size_t rp = line.rfind(')');
  if (rp == std::string::npos) return std::nullopt;
  std::istringstream in(line.substr(rp + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  s.cpuSeconds = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
  if (auto precise = schedCpuSeconds(pid)) s.cpuSeconds = *precise;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.vmRssKb = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) s.vmHwmKb = std::stol(line.substr(6));
  }
  return s;
}

std::string selfExe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace weft::harness
