// The fixture every example test uses: parametrised by reactor name (ctest runs one process
// per reactor), it starts an example with `--reactor NAME --port 0`, reads the port from its
// `listening on HOST:PORT` line, and at the end stops it by PID with SIGTERM and expects a
// clean exit 0.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "tcp_client.hpp"
#include "weft/registry.hpp"

namespace weft::test {

// A running example server.
struct Server {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
};

class ExampleTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& reactor() const { return GetParam(); }
  // `binary --reactor R --port 0 extra...`; returns once it is listening.
  Server startServer(const std::string& binary, const std::vector<std::string>& extra = {});
  // `binary --reactor R extra...` (clients and other programs that do not listen).
  std::unique_ptr<ChildProcess> startProgram(const std::string& binary,
                                             const std::vector<std::string>& extra);
  // SIGTERM by PID; the example must exit 0 within the timeout.
  void expectCleanStop(ChildProcess& process);
  // A scratch file path unique to this test and reactor; removed before and after the test.
  std::string scratchFile(const std::string& name);
  void TearDown() override;

 private:
  std::vector<std::string> scratch_;
};

}  // namespace weft::test

// One instantiation per reactor built here (at least select, poll and epoll on Linux).
#define WEFT_FOR_EVERY_REACTOR(Suite)                                                         \
  INSTANTIATE_TEST_SUITE_P(Reactors, Suite, ::testing::ValuesIn(::weft::availableReactors()), \
                           [](const auto& info) { return info.param; })
