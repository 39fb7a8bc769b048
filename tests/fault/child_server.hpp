// Runs weft_fault_server as a child process and reads what it reports; samples its CPU time,
// RSS and fd count from /proc. The child is always stopped by PID.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "weft/address.hpp"

namespace weft::fault {

class ChildServer {
 public:
  ChildServer(const std::string& exe, std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<char*> argv{const_cast<char*>(exe.c_str())};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(exe.c_str(), argv.data());
      _exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
    std::string first = readLine();
    const std::string prefix = "listening on 127.0.0.1:";
    if (first.rfind(prefix, 0) == 0)
      port_ = static_cast<uint16_t>(std::stoi(first.substr(prefix.size())));
  }
  ~ChildServer() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_) ::fclose(out_);
  }

  bool started() const { return port_ != 0; }
  Address address() const { return *Address::parse("127.0.0.1", port_); }
  pid_t pid() const { return pid_; }

  // SIGTERM, then wait (bounded) for the summary line and the exit status.
  // Returns the parsed summary; "exit" holds the exit status (-1 if killed or timed out).
  // SIGTERM once: a second one could land after the server restored the default handler while
  // exiting, and kill it.
  void terminate() {
    if (pid_ > 0 && !termSent_) ::kill(pid_, SIGTERM);
    termSent_ = true;
  }

  std::map<std::string, long> stop(std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::map<std::string, long> result{{"exit", -1}};
    if (pid_ <= 0) return result;
    terminate();
    auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!reaped_) return result;
    result["exit"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    for (std::string line; !(line = readLine()).empty();) {
      if (line.rfind("summary ", 0) != 0) continue;
      std::istringstream in(line.substr(8));
      for (std::string kv; in >> kv;) {
        auto eq = kv.find('=');
        result[kv.substr(0, eq)] = std::stol(kv.substr(eq + 1));
      }
    }
    return result;
  }

  // utime + stime of the child, in seconds.
  double cpuSeconds() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    auto rp = s.rfind(')');
    if (rp == std::string::npos) return 0;
    std::istringstream in(s.substr(rp + 2));
    std::string field;
    long ut = 0, st = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
      if (i == 14) ut = std::stol(field);
      if (i == 15) st = std::stol(field);
    }
    return static_cast<double>(ut + st) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  long rssKiB() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/status");
    for (std::string line; std::getline(f, line);)
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
  }

  int openFds() const {
    int n = 0;
    std::string dir = "/proc/" + std::to_string(pid_) + "/fd";
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
      ::closedir(d);
    }
    return n;
  }

 private:
  std::string readLine() {
    if (!out_) return {};
    char buf[512];
    if (!std::fgets(buf, sizeof buf, out_)) return {};
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  uint16_t port_ = 0;
  bool reaped_ = false;
  bool termSent_ = false;
};

}  // namespace weft::fault
