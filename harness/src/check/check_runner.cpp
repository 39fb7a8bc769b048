// weft check: runs every (reactor, client reactor, protocol, scenario) case in child
// processes — `weft serve` on the reactor under test, `weft scenario` as the client — each
// with a timeout, so one hang or crash costs one cell, not the matrix.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "check/check_command.hpp"
#include "check/check_results.hpp"
#include "check/scenario.hpp"
#include "cli/comma_list.hpp"
#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"
#include "common/process.hpp"
#include "common/stop_request.hpp"
#include "common/wire.hpp"
#include "weft/registry.hpp"

namespace weft::harness {

namespace {

std::string lastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// A fresh directory for the children's logs: /tmp/weft-check-PID-N (%TEMP% on Windows).
std::string makeLogDir() {
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path();
  std::string stem = "weft-check-" + std::to_string(currentProcessId()) + "-";
  for (int i = 0; i < 1000; ++i) {
    fs::path dir = base / (stem + std::to_string(i));
    std::error_code ec;
    if (fs::create_directory(dir, ec)) return dir.string();
  }
  throw std::runtime_error("cannot create a log directory in " + base.string());
}

struct CaseSpec {
  const ScenarioDef* def;
  std::string server, client, protocol;
};

class CaseRunner {
 public:
  CaseRunner(std::string self, std::string dir, double timeout, std::string fault)
      : self_(std::move(self)), dir_(std::move(dir)), timeout_(timeout), fault_(std::move(fault)) {}

  CaseResult run(const CaseSpec& spec) {
    auto t0 = std::chrono::steady_clock::now();
    CaseResult r{
        spec.server, spec.client, spec.protocol, spec.def->id, CaseResult::Status::Fail, "", 0};
    r.detail = execute(spec, r.status);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }

 private:
  std::string execute(const CaseSpec& spec, CaseResult::Status& status) {
    std::string n = std::to_string(++counter_);
    std::string serverLog = dir_ + "/server-" + n + ".log";
    std::string clientLog = dir_ + "/client-" + n + ".log";
    Child server;
    std::string port = "0";
    if (spec.def->needsServer) {
      std::vector<std::string> argv = {self_,        "serve",       "--reactor", spec.server,
                                       "--protocol", spec.protocol, "--port",    "0"};
      for (auto& a : spec.def->serverArgs(*parseWire(spec.protocol))) argv.push_back(a);
      if (!fault_.empty()) {
        argv.push_back("--fault");
        argv.push_back(fault_);
      }
      server = spawn(argv, {.stderrPath = serverLog});
      if (!server.pid()) return "cannot start the server: " + server.spawnError();
      auto line = server.readLine(Seconds(15));
      const std::string prefix = "listening on ";
      if (!line || line->rfind(prefix, 0) != 0) {
        auto st = server.stop(Seconds(2));
        return "server did not announce its port (" + describeStatus(st) +
               "): " + lastLine(serverLog);
      }
      port = line->substr(line->rfind(':') + 1);
    }
    std::vector<std::string> argv = {self_,
                                     "scenario",
                                     "--name",
                                     spec.def->id,
                                     "--protocol",
                                     spec.protocol,
                                     "--client-reactor",
                                     spec.client,
                                     "--server-reactor",
                                     spec.server,
                                     "--port",
                                     port,
                                     "--server-pid",
                                     std::to_string(server.pid()),
                                     "--server-log",
                                     serverLog,
                                     "--budget",
                                     std::to_string(timeout_)};
    Child client = spawn(argv, {.stderrPath = clientLog});
    if (!client.pid()) return "cannot start the client: " + client.spawnError();
    // The scenario ends its own waits within timeout_; past that plus a margin it is stuck.
    auto st = client.wait(Seconds(timeout_ + kClientMargin));
    if (!st) {
      client.stop(Seconds(1));
      return "timed out after " + std::to_string(int(timeout_ + kClientMargin)) + " s";
    }
    std::string out = client.readAll(Seconds(1));
    std::string verdict = out.substr(0, out.find('\n'));
    if (!verdict.empty() && verdict.back() == '\r') verdict.pop_back();  // Windows text mode
    if (!exitedWith(*st, 0)) {
      if (verdict.empty()) verdict = "client " + describeStatus(*st) + ": " + lastLine(clientLog);
      if (server.running() && !server.wait(Seconds(0))) server.stop(Seconds(5));
      return verdict;
    }
    if (spec.def->needsServer) {
      // The server must survive the scenario and exit 0 on a stop request (or on the
      // scenario's).
      std::optional<int> sst;
      if (spec.def->stopsServer) {
        sst = server.wait(Seconds(std::min(20.0, timeout_)));
        if (!sst) sst = server.stop(Seconds(1));
      } else if ((sst = server.wait(Seconds(0)))) {
        return "server died during the scenario (" + describeStatus(*sst) +
               "): " + lastLine(serverLog);
      } else {
        sst = server.stop(Seconds(std::min(15.0, timeout_)));
      }
      if (!exitedWith(*sst, 0)) {
        return std::string("server did not exit 0 when asked to stop (") + kStopRequestName +
               "): " + describeStatus(*sst);
      }
    }
    status = CaseResult::Status::Pass;
    return verdict.rfind("ok: ", 0) == 0 ? verdict.substr(4) : verdict;
  }

  static constexpr double kClientMargin = 15;

  std::string self_, dir_;
  double timeout_;
  std::string fault_;
  int counter_ = 0;
};

}  // namespace

void addCheckOptions(CLI::App& app, CheckOptions& o) {
  app.add_option("--reactor", o.reactors, "reactors under test: all or a comma list");
  app.add_option("--protocol", o.protocols, "all or a comma list of " + joinedWireNames(","));
  app.add_option("--scenario", o.scenarios, "all or a comma list of scenario ids");
  app.add_option("--json", o.jsonPath, "write the results as JSON");
  app.add_option("--junit", o.junitPath, "write the results as JUnit XML");
  app.add_option("--client-reactor", o.clientReactor, "the reference client's reactor");
  app.add_flag("!--no-second-pass", o.secondPass,
               "skip the pass with the client on the reactor under test");
  app.add_option("--timeout", o.timeout, "seconds per scenario");
  app.add_option("--serve-fault", o.serveFault, "serve with --fault NAME (tests only)")->group("");
}

void addScenarioOptions(CLI::App& app, ScenarioOptions& o) {
  app.add_option("--name", o.name)->required();
  app.add_option("--protocol", o.protocol)->required();
  app.add_option("--client-reactor", o.clientReactor);
  app.add_option("--server-reactor", o.serverReactor);
  app.add_option("--port", o.port);
  app.add_option("--server-pid", o.serverPid);
  app.add_option("--server-log", o.serverLog);
  app.add_option("--budget", o.budget);
}

int runScenario(const ScenarioOptions& o) {
  const ScenarioDef* def = findScenario(o.name);
  auto wire = parseWire(o.protocol);
  if (!def || !wire) throw UsageError("weft scenario: unknown scenario or protocol");
  auto reactor = openReactor(o.clientReactor);
  std::string client = o.clientReactor == "default" ? defaultReactorName() : o.clientReactor;
  ScenarioEnv env{*reactor,        serveWire(*wire), o.port,      o.serverPid,
                  o.serverReactor, client,           o.serverLog, o.budget};
  Verdict v = def->run(env);
  std::printf("%s: %s\n", v.ok ? "ok" : "FAIL", v.detail.c_str());
  std::fflush(stdout);
  // Connections may still be open; the verdict is all that matters, so skip teardown.
  std::_Exit(v.ok ? kExitOk : kExitFailure);
}

int runCheck(const CheckOptions& o) {
  if (!(o.timeout > 0))
    throw UsageError("weft check: --timeout must be a positive number of seconds");
  auto reactors = expandReactorList(o.reactors);
  auto protocols = o.protocols == "all" ? wireNames() : splitCommaList(o.protocols);
  for (const auto& p : protocols) {
    if (!parseWire(p)) throw UsageError("weft check: unknown protocol '" + p + "'");
  }
  std::vector<const ScenarioDef*> chosen;
  std::vector<std::string> ids;
  for (const auto& s : scenarios()) {
    if (o.scenarios == "all" ||
        ("," + o.scenarios + ",").find("," + s.id + ",") != std::string::npos) {
      chosen.push_back(&s);
      ids.push_back(s.id);
    }
  }
  if (chosen.empty()) throw UsageError("weft check: no scenario matches '" + o.scenarios + "'");
  requireReactor(o.clientReactor);
  std::string ref = o.clientReactor == "default" ? defaultReactorName() : o.clientReactor;

  std::string logDir = makeLogDir();
  CaseRunner runner(selfExe(), logDir, o.timeout, o.serveFault);

  std::vector<CaseSpec> specs;
  for (const auto& reactor : reactors) {
    std::vector<std::string> clients = {ref};
    if (o.secondPass && reactor != ref) clients.push_back(reactor);
    for (const auto& client : clients) {
      for (const auto& protocol : protocols) {
        for (const auto* def : chosen) specs.push_back({def, reactor, client, protocol});
      }
    }
  }
  bool tty = stderrIsTerminal();
  std::vector<CaseResult> results;
  for (size_t i = 0; i < specs.size(); ++i) {
    const auto& spec = specs[i];
    if (!spec.def->applies(*parseWire(spec.protocol))) {
      results.push_back({spec.server, spec.client, spec.protocol, spec.def->id,
                         CaseResult::Status::NotApplicable, "", 0});
      continue;
    }
    if (tty) {
      std::fprintf(stderr, "\r\033[K[%zu/%zu] %s/%s/%s (client %s)", i + 1, specs.size(),
                   spec.server.c_str(), spec.protocol.c_str(), spec.def->id.c_str(),
                   spec.client.c_str());
    }
    results.push_back(runner.run(spec));
  }
  if (tty) std::fprintf(stderr, "\r\033[K");
  std::cout << renderTable(results, ids) << std::flush;
  if (!o.jsonPath.empty()) std::ofstream(o.jsonPath) << renderJson(results);
  if (!o.junitPath.empty()) std::ofstream(o.junitPath) << renderJunit(results);
  bool failed = std::any_of(results.begin(), results.end(),
                            [](auto& r) { return r.status == CaseResult::Status::Fail; });
  // The logs only matter when something failed.
  if (!failed)
    std::filesystem::remove_all(logDir);
  else
    std::cerr << "weft check: server/client logs in " << logDir << "\n";
  return failed ? kExitFailure : kExitOk;
}

}  // namespace weft::harness
