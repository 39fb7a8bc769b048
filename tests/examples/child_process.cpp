#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace weft::test {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kMaxNap{20};

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

Clock::time_point deadlineAfter(Seconds timeout) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(timeout);
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG: when ctest kills a test that
  // timed out, no destructor runs, and the example it started (a server) would live on.
  // Between fork and exec only async-signal-safe calls.
  // A failed exec reports its errno on this close-on-exec pipe; a successful one closes it.
  int report[2];
  if (pipe2(report, O_CLOEXEC) < 0)
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0) {
      // Checked after prctl, so a test that died in between is seen: nobody to report to.
      if (getppid() != parent) _exit(127);
      // dup2 clears close-on-exec on the target, so only these two ends reach the child.
      if (dup2(in[0], STDIN_FILENO) >= 0 && dup2(out[1], STDOUT_FILENO) >= 0) {
        execve(args[0], args.data(), environ);
      }
    }
    const int e = errno;  // of whichever step failed
    (void)!write(report[1], &e, sizeof e);
    _exit(127);
  }
  int err = pid_ < 0 ? errno : 0;
  close(report[1]);
  if (pid_ > 0) {
    ssize_t n;
    while ((n = read(report[0], &err, sizeof err)) < 0 && errno == EINTR) {
    }
    if (n == sizeof err) {
      waitpid(pid_, nullptr, 0);  // it exited right after writing
    } else {
      err = 0;
    }
  }
  close(report[0]);
  close(in[0]);
  close(out[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  if (err != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(err));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  if (stdin_ >= 0) close(stdin_);
  if (stdout_ >= 0) close(stdout_);
}

std::optional<std::string> ChildProcess::readLine(Seconds timeout) {
  auto deadline = deadlineAfter(timeout);
  for (;;) {
    if (size_t nl = pending_.find('\n'); nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    pollfd p{stdout_, POLLIN, 0};
    int r = poll(&p, 1, msLeft(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = read(stdout_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    pending_.append(buf, static_cast<size_t>(n));
  }
}

std::string ChildProcess::readAll(Seconds timeout) {
  auto deadline = deadlineAfter(timeout);
  for (;;) {
    pollfd p{stdout_, POLLIN, 0};
    int r = poll(&p, 1, msLeft(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    ssize_t n = read(stdout_, buf, sizeof buf);
    if (n <= 0) break;
    pending_.append(buf, static_cast<size_t>(n));
  }
  return std::exchange(pending_, {});
}

void ChildProcess::writeStdin(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(stdin_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("write to child: ") + std::strerror(errno));
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void ChildProcess::closeStdin() {
  if (stdin_ >= 0) close(stdin_);
  stdin_ = -1;
}

std::optional<int> ChildProcess::wait(Seconds timeout) {
  if (status_ || pid_ <= 0) return status_;
  auto deadline = deadlineAfter(timeout);
  for (auto nap = std::chrono::milliseconds(1);; nap = std::min(nap * 2, kMaxNap)) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) return status_ = st;
    if ((r < 0 && errno != EINTR) || Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(nap);
  }
}

std::optional<int> ChildProcess::terminate(Seconds timeout) {
  if (pid_ > 0 && !status_) ::kill(pid_, SIGTERM);
  return wait(timeout);
}

std::string describeStatus(std::optional<int> status) {
  if (!status) return "still running";
  if (WIFEXITED(*status)) return "exit " + std::to_string(WEXITSTATUS(*status));
  if (WIFSIGNALED(*status)) return "signal " + std::to_string(WTERMSIG(*status));
  return "status " + std::to_string(*status);
}

}  // namespace weft::test
