// weft serve: an echo server for any protocol on any reactor. The first stdout line is the
// contract `listening on HOST:PORT` (flushed: scripts block on it); SIGINT/SIGTERM stop the
// reactor, which flushes pending replies within its shutdown timeout, and we exit 0. On
// Windows, Ctrl-C and a stop request (common/stop_request.hpp) take SIGTERM's place.
// Asked to stop, it first writes the stop line (common/stop_report.hpp) on stderr: what it had
// read, and so owes replies to. `--fault NAME` (hidden) serves a broken echo instead
// (fault_server.hpp), for the tests that prove the checkers catch it.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/fault_server.hpp"
#include "cli/reactor_choice.hpp"
#include "cli/serve_stats.hpp"
#include "common/stop_report.hpp"
#include "common/stop_request.hpp"
#include "weft/endpoint_strings.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/echo_servers.hpp"
#include "weft/tls/tls.hpp"

namespace weft::harness {

namespace {

EchoServerOptions echoOptions(const ServeOptions& o) {
  EchoServerOptions e;
  auto protocol = parseEchoProtocol(o.protocol);
  if (!protocol) throw UsageError("weft serve: unknown protocol '" + o.protocol + "'");
  e.protocol = *protocol;
  if (o.maxLength >= 0) e.maxLength = static_cast<size_t>(o.maxLength);
  auto prefix = parsePrefixFormat(o.prefix);
  if (!prefix) throw UsageError("weft serve: unknown prefix '" + o.prefix + "'");
  e.prefix = *prefix;
  auto delimiter = weft::parseDelimiter(o.delimiter);
  if (!delimiter) throw UsageError("weft serve: unknown delimiter '" + o.delimiter + "'");
  e.delimiter = *delimiter;
  return e;
}

std::unique_ptr<Factory> faultyFactory(const ServeOptions& o, const Fault& fault,
                                       ServeStats& stats) {
  WireFormat wire;
  wire.wire = *parseWire(o.protocol);  // echoOptions() checked the name
  // common/wire splits only the default u32le prefix.
  if (wire.wire == Wire::LenPrefix && o.prefix != "u32le") {
    throw UsageError("weft serve: --fault needs the default prefix u32le");
  }
  parseDelimiter(o.delimiter, wire);
  return makeFaultyEchoFactory(wire, fault, stats);
}

// --listen: a bad description is a usage error; a port that cannot be opened, a failure.
std::shared_ptr<ListeningPort> listenOnEndpoint(Reactor& reactor, const std::string& description,
                                                Factory& factory) {
  std::unique_ptr<ServerEndpoint> endpoint;
  try {
    endpoint = serverFromString(reactor, description);
  } catch (const EndpointStringError& e) {
    throw UsageError(std::string("weft serve: --listen: ") + e.what());
  }
  std::shared_ptr<ListeningPort> port;
  // A TCP listen fires at once, either way.
  endpoint->listen(factory).addCallbacks(
      [&](std::shared_ptr<ListeningPort> p) { return port = p; },
      [&](const Failure& f) {
        std::cerr << "weft serve: cannot listen on " << description << ": " << f.message() << "\n";
        return std::shared_ptr<ListeningPort>();
      });
  return port;
}

}  // namespace

int runServe(const ServeOptions& o) {
  auto options = echoOptions(o);
  std::optional<Fault> fault;
  if (!o.fault.empty() && !(fault = parseFault(o.fault))) {
    throw UsageError("weft serve: unknown fault '" + o.fault + "' (see harness/README.md)");
  }
  ServeStats stats;  // outlives the reactor, the factory and every connection
  auto reactor = openReactor(o.reactor);
  auto factory = fault ? faultyFactory(o, *fault, stats) : makeCountingEchoFactory(options, stats);
  bool ignoreStop = fault && fault->kind == Fault::Kind::IgnoreSigterm;
  std::shared_ptr<ListeningPort> port;
  if (!o.tlsCert.empty()) {
    if (!tls::tlsAvailable())
      throw UsageError("weft serve: TLS unavailable: " + std::string(tls::tlsUnavailableReason()));
#if WEFT_HAVE_TLS
    try {
      tls::ServerOptions so;
      so.certificate = {o.tlsCert, o.tlsKey};
      port = tls::listenSSL(*reactor, o.port, *factory, tls::ServerContext::create(so), o.backlog,
                            o.interface);
    } catch (const Error& e) {
      std::cerr << "weft serve: cannot serve TLS on " << o.interface << ":" << o.port << ": "
                << e.what() << "\n";
      return kExitFailure;
    }
#endif
  } else if (!o.listen.empty()) {
    port = listenOnEndpoint(*reactor, o.listen, *factory);
    if (!port) return kExitFailure;
  } else {
    try {
      port = reactor->listenTCP(o.port, *factory, o.backlog, o.interface);
    } catch (const Error& e) {
      std::cerr << "weft serve: cannot listen on " << o.interface << ":" << o.port << ": "
                << e.what() << "\n";
      return kExitFailure;
    }
  }
  // Handlers first: a script may send SIGTERM the moment it reads the line.
  reactor->installSignalHandlers();
#ifdef SIGTERM
  if (ignoreStop) std::signal(SIGTERM, SIG_IGN);
#endif
  // Declared after the reactor, so it stops watching before the reactor goes away.
  std::optional<StopRequestWatch> stopRequests;
  if (!ignoreStop) {
    stopRequests.emplace([r = reactor.get()] {
      r->callFromThread([r] {
        // stop() refuses a second stop (Ctrl-C may have come first): nothing left to do then.
        try {
          r->stop();
        } catch (const Error&) {
        }
      });
    });
  }
  // Before the connections drain: what was read by now has its replies queued.
  bool bytes = options.protocol == EchoProtocol::Echo;
  reactor->addSystemEventTrigger(Phase::Before, SystemEvent::Shutdown, [&, r = reactor.get()] {
    StopReport report{std::string(r->name()), stats.messages, stats.connections};
    std::fprintf(stderr, "%s\n", formatStopReport(report, bytes).c_str());
    std::fflush(stderr);
  });
  std::printf("listening on %s\n", port->getHost().toString().c_str());
  std::fflush(stdout);
  reactor->run();
  // The factory outlives the port and every connection: run() returned after shutdown.
  port.reset();
  return kExitOk;
}

}  // namespace weft::harness
