#include "child_process.hpp"

#include <signal.h>

#include <stdexcept>

namespace weft::test {

namespace {
harness::SpawnOptions withStdinPipe() {
  harness::SpawnOptions o;
  o.pipeStdin = true;
  return o;
}
}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv)
    : child_(harness::spawn(argv, withStdinPipe())) {
  if (child_.pid() == 0) throw std::runtime_error(child_.spawnError());
  // A write to a child that has exited must fail, not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
}

void ChildProcess::writeStdin(std::string_view text) {
  if (!child_.writeStdin(text)) throw std::runtime_error("write to child's stdin failed");
}

std::optional<int> ChildProcess::terminate(Seconds timeout) {
  child_.requestStop();
  return child_.wait(timeout);
}

std::string describeStatus(std::optional<int> status) {
  return status ? harness::describeStatus(*status) : "still running";
}

}  // namespace weft::test
