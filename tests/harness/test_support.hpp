// Running the real `weft` binary from tests: bounded in time, stopped by PID.
#pragma once

#include <string>
#include <vector>

namespace weft::harness::testing {

struct RunResult {
  int status = -1;  // wait status; -1 if it had to be killed
  std::string out;
  std::string err;
  int exitCode() const;  // -1 unless it exited normally
};

RunResult runWeft(const std::vector<std::string>& args, double timeoutSeconds = 300);
std::string makeTempDir();
std::string readFile(const std::string& path);

}  // namespace weft::harness::testing
