// weft check: the correctness matrix (reactor x protocol x scenario), and the hidden
// `weft scenario` subcommand that runs one scenario's client in its own process.
#pragma once

#include <cstdint>
#include <string>

#include "common/process.hpp"

namespace CLI {
class App;
}

namespace weft::harness {

struct CheckOptions {
  std::string reactors = "all";
  std::string protocols = "all";
  std::string scenarios = "all";  // comma-separated scenario ids
  std::string jsonPath;
  std::string junitPath;
  std::string clientReactor = "default";  // the reference client
  bool secondPass = true;                 // also run the client on the reactor under test
  // Per scenario, seconds: the scenario's own waits end by then (so a broken server fails
  // with the scenario's reason, not a timeout), and so do the waits for the server to stop.
  double timeout = 60;
  std::string serveFault;  // hidden: start `weft serve --fault NAME` (harness/README.md)
};

struct ScenarioOptions {
  std::string name;
  std::string protocol;
  std::string clientReactor = "default";
  std::string serverReactor;
  uint16_t port = 0;
  ProcessId serverPid = 0;
  std::string serverLog;  // the server's stderr, for errors only it can name
  double budget = 60;     // seconds; caps every scenario's own budget
};

void addCheckOptions(CLI::App& app, CheckOptions& o);
void addScenarioOptions(CLI::App& app, ScenarioOptions& o);
int runCheck(const CheckOptions& o);
int runScenario(const ScenarioOptions& o);

}  // namespace weft::harness
