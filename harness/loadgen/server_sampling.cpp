#include "server_sampling.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace weft::harness {

namespace {

// Adds one status file's two counters; false if it could not be read (a thread that exited
// between the directory listing and the read: its switches are gone with it).
bool addThread(const std::filesystem::path& status, ContextSwitches& sum) {
  std::ifstream in(status);
  if (!in) return false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) {
      sum.voluntary += std::stoull(line.substr(line.find(':') + 1));
    } else if (line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
      sum.involuntary += std::stoull(line.substr(line.find(':') + 1));
    }
  }
  return true;
}

}  // namespace

std::optional<ContextSwitches> readContextSwitches(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return std::nullopt;
  ContextSwitches sum;
  for (const auto& t : tasks) addThread(t.path() / "status", sum);
  return sum;
}

}  // namespace weft::harness
