// A child process with pipes to its stdin and stdout (stderr joins stdout), for peers such as
// `openssl s_server`. Every wait is bounded; the destructor kills and reaps by PID.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace weft::test {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::dup2(out[1], 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
    ::fcntl(stdout_, F_SETFL, O_NONBLOCK);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    closeStdin();
    if (stdout_ >= 0) ::close(stdout_);
  }

  bool started() const { return pid_ > 0; }
  void write(const std::string& s) {
    if (stdin_ >= 0) (void)!::write(stdin_, s.data(), s.size());
  }
  void closeStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  void kill(int sig) {
    if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
  }
  // Everything read so far, after reading what is there (waiting up to `wait` for more).
  const std::string& output(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    pollfd p{stdout_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) > 0) drain();
    return out_;
  }
  // Reads until `needle` appears or `limit` passes.
  bool waitFor(const std::string& needle, std::chrono::seconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (out_.find(needle) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end) return false;
      output(std::chrono::milliseconds(50));
    }
    return true;
  }
  // Exit status once it has exited within `limit`, else -1.
  int waitExit(std::chrono::seconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        drain();
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      output(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  void drain() {
    char buf[4096];
    for (;;) {
      auto n = ::read(stdout_, buf, sizeof buf);
      if (n <= 0) return;
      out_.append(buf, static_cast<size_t>(n));
    }
  }
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1;
  bool reaped_ = false;
  std::string out_;
};

}  // namespace weft::test
