#include "bench/bench_servers.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/comma_list.hpp"
#include "cli/reactor_choice.hpp"
#include "common/process.hpp"

namespace weft::harness {

namespace fs = std::filesystem;

namespace {

// An installed weft (PREFIX/bin/weft) finds the load generator and the reference servers in
// PREFIX/libexec/weft (cmake/weft_install.cmake). In the build tree the load generator sits
// beside weft and the reference servers in bench/reference.
fs::path installedHelperDir() {
  fs::path dir = fs::path(selfExe()).parent_path().parent_path() / "libexec" / "weft";
  return fs::exists(dir / "weft-loadgen") ? dir : fs::path();
}

fs::path referenceDir() {
  if (auto dir = installedHelperDir(); !dir.empty()) return dir;
  fs::path dir = WEFT_REFERENCE_DIR;
  // A build tree that was moved: weft is BUILD/harness/weft.
  fs::path alt = fs::path(selfExe()).parent_path().parent_path() / "bench" / "reference";
  return !fs::exists(dir / "weft-ref-raw-epoll") && fs::exists(alt) ? alt : dir;
}

bool replaceAll(std::string& s, const std::string& from, const std::string& to) {
  bool any = false;
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
    any = true;
  }
  return any;
}

}  // namespace

std::string loadgenPath() {
  if (auto dir = installedHelperDir(); !dir.empty()) return (dir / "weft-loadgen").string();
  fs::path sibling = fs::path(selfExe()).parent_path() / "weft-loadgen";
  return fs::exists(sibling) ? sibling.string() : WEFT_LOADGEN_PATH;
}

std::string referenceDirPath() {
  return referenceDir().string();
}

std::vector<std::string> serverArgv(const ServerSpec& s, const std::string& protocol) {
  if (s.kind != "external") {
    auto argv = s.baseArgv;
    for (const char* a : {"--protocol", protocol.c_str(), "--port", "0"}) argv.push_back(a);
    return argv;
  }
  std::string cmd = s.command;
  bool own = replaceAll(cmd, "{protocol}", protocol);
  own = replaceAll(cmd, "{port}", "0") || own;
  if (!own) cmd += " --protocol " + protocol + " --port 0";
  // exec: the program itself gets SIGTERM and its exit status is the one judged.
  return {"/bin/sh", "-c", "exec " + cmd};
}

ServerSpec parseExternalServer(const std::string& spec) {
  size_t eq = spec.find('=');
  if (eq == 0 || eq == std::string::npos || eq + 1 == spec.size()) {
    throw UsageError("weft bench: --server wants NAME=CMD, not '" + spec + "'");
  }
  std::string name = spec.substr(0, eq);
  if (name.find_first_of(" ,|/") != std::string::npos || name.rfind("ref:", 0) == 0) {
    throw UsageError(
        "weft bench: --server NAME may not contain spaces, ',', '|', '/' or start "
        "with 'ref:': '" +
        name + "'");
  }
  return {name, "external", {}, spec.substr(eq + 1)};
}

std::vector<ServerSpec> referenceServers(const std::string& which) {
  std::vector<ServerSpec> out;
  fs::path dir = referenceDir();
  auto wanted = splitCommaList(which);
  for (const char* name : {"raw-epoll", "libevent", "asio", "qt", "libuv"}) {
    fs::path exe = dir / (std::string("weft-ref-") + name);
    bool chosen = which == "all" || std::string(name) == "raw-epoll" ||
                  std::find(wanted.begin(), wanted.end(), name) != wanted.end();
    if (chosen && fs::exists(exe)) {
      out.push_back({std::string("ref:") + name, "reference", {exe.string()}, {}});
    }
  }
  // Twisted's own servers on its epoll reactor, if Debian's python3-twisted is installed.
  fs::path twisted = dir / "weft-ref-twisted.py";
  bool wantTwisted =
      which == "all" || std::find(wanted.begin(), wanted.end(), "twisted") != wanted.end();
  if (wantTwisted && fs::exists(twisted) &&
      std::system("/usr/bin/python3 -c 'import twisted' >/dev/null 2>&1") == 0) {
    out.push_back({"ref:twisted", "reference", {"/usr/bin/python3", twisted.string()}, {}});
  }
  return out;
}

std::string contractNoAnnouncement(double seconds, bool exited, const std::string& status) {
  if (exited) {
    return "breaks the serve contract: it ended (" + status +
           ") before printing 'listening on HOST:PORT' as its first stdout line";
  }
  return "breaks the serve contract: no 'listening on HOST:PORT' line on its stdout within " +
         std::to_string(int(seconds)) + " s";
}

std::string contractBadAnnouncement(const std::string& line) {
  return "breaks the serve contract: its first stdout line is '" + line.substr(0, 80) +
         "', not 'listening on HOST:PORT'";
}

std::string contractBadStop(const std::string& status) {
  return "breaks the serve contract: on SIGTERM it should exit 0, but " + status;
}

}  // namespace weft::harness
