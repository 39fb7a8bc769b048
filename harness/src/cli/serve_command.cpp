// weft serve: an echo server for any protocol on any reactor. The first stdout line is the
// contract `listening on HOST:PORT` (flushed: scripts block on it); SIGINT/SIGTERM stop the
// reactor, which flushes pending replies within its shutdown timeout, and we exit 0. On
// Windows, Ctrl-C and a stop request (common/stop_request.hpp) take SIGTERM's place.
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"
#include "common/stop_request.hpp"
#include "weft/errors.hpp"
#include "weft/protocols/echo_servers.hpp"

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

}  // namespace

int runServe(const ServeOptions& o) {
  auto options = echoOptions(o);
  auto reactor = openReactor(o.reactor);
  auto factory = makeEchoServerFactory(options);
  std::shared_ptr<ListeningPort> port;
  try {
    port = reactor->listenTCP(o.port, *factory, o.backlog, o.interface);
  } catch (const Error& e) {
    std::cerr << "weft serve: cannot listen on " << o.interface << ":" << o.port << ": " << e.what()
              << "\n";
    return kExitFailure;
  }
  // Handlers first: a script may send SIGTERM the moment it reads the line.
  reactor->installSignalHandlers();
  // Declared after the reactor, so it stops watching before the reactor goes away.
  StopRequestWatch stopRequests([r = reactor.get()] {
    r->callFromThread([r] {
      // stop() refuses a second stop (Ctrl-C may have come first): nothing left to do then.
      try {
        r->stop();
      } catch (const Error&) {
      }
    });
  });
  std::printf("listening on %s\n", port->getHost().toString().c_str());
  std::fflush(stdout);
  reactor->run();
  // The factory outlives the port and every connection: run() returned after shutdown.
  port.reset();
  return kExitOk;
}

}  // namespace weft::harness
