// weft: the command line. Subcommands: serve, connect, check, bench (+ bench compare), and the
// hidden `scenario` that `weft check` runs in a child process per scenario.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "bench/bench_command.hpp"
#include "check/check_command.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"
#include "common/process.hpp"
#include "common/wire.hpp"

using namespace weft::harness;

namespace {

void addServe(CLI::App& app, ServeOptions& o) {
  app.add_option("--reactor", o.reactor, "event loop (see --help-reactors)");
  app.add_option("--protocol", o.protocol, joinedWireNames("|"));
  app.add_option("--port", o.port, "TCP port, 0 = ephemeral");
  app.add_option("--interface", o.interface, "address to listen on");
  app.add_option("--max-length", o.maxLength,
                 "maximum message length, -1 = the protocol's default");
  app.add_option("--prefix", o.prefix, "lenprefix format: u8|u16be|u16le|u32be|u32le");
  app.add_option("--delimiter", o.delimiter, "line delimiter: crlf|lf");
  app.add_option("--backlog", o.backlog, "listen backlog");
  // Hidden: a deliberately broken server for the checkers' own tests (harness/README.md).
  app.add_option("--fault", o.fault, "serve a broken echo (tests only)")->group("");
  app.add_option("--listen", o.listen,
                 "endpoint description instead of --port/--interface, e.g. "
                 "tcp:0:interface=127.0.0.1 (docs/deferreds.md)");
  app.add_option("--tls-cert", o.tlsCert, "serve TLS with this PEM certificate chain")
      ->needs(app.add_option("--tls-key", o.tlsKey, "the PEM private key for --tls-cert"));
}

void addConnect(CLI::App& app, ConnectOptions& o) {
  app.add_option("target", o.target, "HOST:PORT (or --endpoint)");
  app.add_option("--endpoint", o.endpoint,
                 "endpoint description instead of HOST:PORT, e.g. tcp:host=127.0.0.1:port=8000");
  app.add_option("--reactor", o.reactor, "event loop (see --help-reactors)");
  app.add_option("--protocol", o.protocol, joinedWireNames("|"));
  app.add_option("--prefix", o.prefix, "lenprefix format: u8|u16be|u16le|u32be|u32le");
  app.add_option("--delimiter", o.delimiter, "line delimiter: crlf|lf");
  app.add_option("--send", o.messages, "a message to send (repeatable; default: stdin lines)");
  app.add_option("--timeout", o.timeout, "seconds for connecting and for all replies");
  app.add_flag("--tls", o.tls, "connect over TLS, verifying the server's certificate and name");
  app.add_option("--ca", o.ca, "with --tls: PEM CA file to trust (default: the system's)");
}

}  // namespace

int main(int argc, char** argv) {
#ifdef SIGPIPE  // POSIX only: Winsock reports a closed peer as an error, never a signal
  std::signal(SIGPIPE, SIG_IGN);
#endif
  raiseFdLimit();

  CLI::App app{"weft: one protocol API, many reactors"};
  app.name("weft");
  // --help shows every option's default (subcommands copy these option defaults).
  app.option_defaults()->always_capture_default();
  bool helpReactors = false;
  app.add_flag("--help-reactors", helpReactors, "list every reactor, available or not");
  std::string leadingReactor;
  auto* leadingReactorOpt = app.add_option(
      "--reactor", leadingReactor, "as the subcommand's --reactor (`weft --reactor epoll serve`)");

  ServeOptions serve;
  auto* serveCmd = app.add_subcommand("serve", "run an echo server until SIGINT/SIGTERM");
  addServe(*serveCmd, serve);

  ConnectOptions connect;
  auto* connectCmd = app.add_subcommand("connect", "send messages and print the replies");
  addConnect(*connectCmd, connect);

  CheckOptions check;
  auto* checkCmd = app.add_subcommand("check", "the correctness matrix");
  addCheckOptions(*checkCmd, check);

  ScenarioOptions scenario;
  auto* scenarioCmd = app.add_subcommand("scenario", "run one check scenario (internal)");
  scenarioCmd->group("");  // hidden: `weft check` runs it in a child process
  addScenarioOptions(*scenarioCmd, scenario);

  BenchOptions bench;
  auto* benchCmd = app.add_subcommand("bench", "the throughput/latency matrix and report");
  addBenchOptions(*benchCmd, bench);
  CompareOptions compare;
  auto* compareCmd = benchCmd->add_subcommand("compare", "compare two report.json files");
  addCompareOptions(*compareCmd, compare);

  if (auto exitCode = parseCommandLine(app, argc, argv)) return *exitCode;

  try {
    if (helpReactors) return printReactorHelp();
    if (leadingReactorOpt->count() > 0) {
      applyLeadingReactor(leadingReactor, {{serveCmd, &serve.reactor},
                                           {connectCmd, &connect.reactor},
                                           {checkCmd, &check.reactors},
                                           {benchCmd, &bench.reactors}});
    }
    if (*serveCmd) return runServe(serve);
    if (*connectCmd) return runConnect(connect);
    if (*checkCmd) return runCheck(check);
    if (*scenarioCmd) return runScenario(scenario);
    if (*compareCmd) return runCompare(compare);
    if (*benchCmd) return runBench(bench);
  } catch (const UsageError& e) {
    std::cerr << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "weft: " << e.what() << "\n";
    return kExitFailure;
  }
  std::cerr << "weft: a subcommand is required: serve, connect, check or bench (see 'weft "
               "--help')\n";
  return kExitUsage;
}
