#include "test_support.hpp"

#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "common/process.hpp"

namespace weft::harness::testing {

int RunResult::exitCode() const {
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TempDir::TempDir() : path_("/tmp/weft-harness-test-XXXXXX") {
  if (!mkdtemp(path_.data())) throw std::system_error(errno, std::generic_category(), "mkdtemp");
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult runWeft(const std::vector<std::string>& args, double timeoutSeconds) {
  TempDir dir;
  std::vector<std::string> argv = {WEFT_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  Child c = spawn(argv, {.stderrPath = dir.path() + "/stderr"});
  RunResult r;
  r.out = c.readAll(Seconds(timeoutSeconds));
  auto st = c.wait(Seconds(5));
  r.status = st ? *st : (c.stop(Seconds(2)), -1);
  r.err = readFile(dir.path() + "/stderr");
  return r;
}

}  // namespace weft::harness::testing
