// The seed's client as a coroutine: connect, send "hello" with a 4-byte little-endian length
// prefix, await the reply (with a timeout), print it, disconnect. Every failure (refused,
// timed out, closed before replying) arrives as an exception at a co_await.
#include <string>

#include "example_support.hpp"
#include "weft/deferred_reactor.hpp"
#include "weft/endpoint_strings.hpp"
#include "weft/protocols/awaitable_receivers.hpp"
#include "weft/task.hpp"

namespace {

using weft::examples::say;

weft::Task<void> hello(weft::Reactor& reactor, weft::ClientEndpoint& server, std::string message,
                       weft::Duration timeout) {
  auto channel = co_await weft::connectChannel(
      server, std::make_unique<weft::AwaitableIntNStringReceiver>(weft::PrefixFormat::U32LE));
  channel->send(message);
  std::string reply = co_await weft::addTimeout(channel->next(), timeout, reactor);
  say("received: " + reply);
  channel->close();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "length_prefix_coro_client",
                               .summary = "length_prefix_client as a coroutine: sends one u32le "
                                          "length-prefixed message, awaits and prints the reply",
                               .defaultPort = 8000,
                               .values = {"message", "timeout"}});
  auto reactor = openReactor(options);
  auto server = weft::clientFromString(*reactor, "tcp:host=" + options.host + ":port=" +
                                                     std::to_string(options.port) + ":timeout=10");
  weft::Duration timeout(std::stod(options.value("timeout", "5")));
  int exitCode = kExitOk;
  reactor->callWhenRunning([&] {
    weft::ensureDeferred(hello(*reactor, *server, options.value("message", "hello"), timeout))
        .addBoth([&](weft::Outcome<void> o) {
          if (!o.ok()) {
            say("failed: " + o.failure().typeName() + ": " + o.failure().message());
            exitCode = kExitFailure;
          }
          reactor->stop();
        });
  });
  reactor->installSignalHandlers();
  reactor->run();
  return exitCode;
}
