#include "test_support.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/process.hpp"

namespace weft::harness::testing {

int RunResult::exitCode() const {
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string makeTempDir() {
  std::string t = "/tmp/weft-harness-test-XXXXXX";
  if (!mkdtemp(t.data())) return "/tmp";
  return t;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult runWeft(const std::vector<std::string>& args, double timeoutSeconds) {
  std::string dir = makeTempDir();
  std::vector<std::string> argv = {WEFT_EXE};
  argv.insert(argv.end(), args.begin(), args.end());
  Child c = spawn(argv, {.stderrPath = dir + "/stderr"});
  RunResult r;
  r.out = c.readAll(Seconds(timeoutSeconds));
  auto st = c.wait(Seconds(5));
  r.status = st ? *st : (c.stop(Seconds(2)), -1);
  r.err = readFile(dir + "/stderr");
  return r;
}

}  // namespace weft::harness::testing
