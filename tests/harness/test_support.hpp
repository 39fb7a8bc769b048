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

// A fresh directory under /tmp, removed with everything in it when this goes out of scope, so
// test runs do not leave directories behind.
class TempDir {
 public:
  TempDir();  // throws std::system_error if the directory cannot be created
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string readFile(const std::string& path);

}  // namespace weft::harness::testing
