// One correctness scenario: what the server is started with, and the client script that
// judges it. Adding a backend adds rows to the matrix, never scenario code.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "common/process.hpp"
#include "common/wire.hpp"
#include "weft/reactor.hpp"

namespace weft::harness {

struct ScenarioEnv {
  Reactor& reactor;  // the client's reactor
  WireFormat wire;   // what `weft serve` speaks (lenprefix u32le, line "\r\n")
  uint16_t port = 0;
  ProcessId serverPid = 0;
  std::string serverReactor;
  std::string clientReactor;
  std::string serverLog;
  double budgetCap = 60;  // `weft check --timeout`
  // A scenario's overall budget: what it wants, within `weft check --timeout`.
  double budget(double wanted) const { return std::min(wanted, budgetCap); }
};

struct Verdict {
  bool ok = false;
  std::string detail;
  static Verdict pass(std::string d = "") { return {true, std::move(d)}; }
  static Verdict fail(std::string d) { return {false, std::move(d)}; }
};

struct ScenarioDef {
  std::string id;     // short, a table column
  std::string title;  // what it checks
  std::function<bool(Wire)> applies;
  std::function<std::vector<std::string>(Wire)> serverArgs;  // extra `weft serve` flags
  bool needsServer = true;
  bool stopsServer = false;  // the scenario itself sends the server SIGTERM
  std::function<Verdict(ScenarioEnv&)> run;
};

const std::vector<ScenarioDef>& scenarios();
const ScenarioDef* findScenario(const std::string& id);

// Shared by the scenario scripts (scenario_util.cpp).
WireFormat serveWire(Wire w);  // the framing `weft serve` uses by default
// The payloads expected back from `received`, or a description of why it is not that.
std::string expectReplies(const WireFormat& f, const std::vector<std::string>& sent,
                          const std::string& received, size_t* complete = nullptr);
std::string payloadOf(size_t seq, size_t size);  // deterministic, printable, no delimiters
// Whether `reactor` may refuse some of `sockets` sockets with FdTooLarge: select on POSIX
// (fd *values* >= FD_SETSIZE), Winsock select only beyond its raised *count*.
bool mayRefuseBeyondFdSetSize(const std::string& reactor, size_t sockets);

// The scenario scripts.
Verdict byteAtATime(ScenarioEnv& env);
Verdict coalesced(ScenarioEnv& env);
Verdict hugeMessage(ScenarioEnv& env);
Verdict maxLengthViolation(ScenarioEnv& env);
Verdict lineTooLong(ScenarioEnv& env);
Verdict malformedNetstring(ScenarioEnv& env);
Verdict halfClose(ScenarioEnv& env);
Verdict resetMidMessage(ScenarioEnv& env);
Verdict manyConnections(ScenarioEnv& env);
Verdict slowReader(ScenarioEnv& env);
Verdict connectionRefused(ScenarioEnv& env);
Verdict stopWithPending(ScenarioEnv& env);

}  // namespace weft::harness
