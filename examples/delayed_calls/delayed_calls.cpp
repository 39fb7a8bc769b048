// callLater: print the time elapsed at 1, 2, 3 and 4 seconds, stop the reactor at 5.
// All five calls are scheduled up front; the reactor's timer heap runs them in order, never
// early. --fast divides every delay by 100 (the test uses it).
#include <cstdio>
#include <string>

#include "example_support.hpp"

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "delayed_calls",
                               .summary = "prints the time at 1..4 s and stops at 5 s",
                               .defaultPort = 0,
                               .flags = {"fast"}});
  const double scale = options.flag("fast") ? 0.01 : 1.0;
  auto reactor = openReactor(options);
  const double start = reactor->seconds();

  auto elapsed = [&] {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f s", reactor->seconds() - start);
    return std::string(text);
  };
  for (int n = 1; n <= 4; ++n) {
    reactor->callLater(weft::Duration(n * scale),
                       [&, n] { say("tick " + std::to_string(n) + " at " + elapsed()); });
  }
  reactor->callLater(weft::Duration(5 * scale), [&] {
    say("stopping at " + elapsed());
    reactor->stop();
  });
  say("started with reactor " + std::string(reactor->name()));
  reactor->installSignalHandlers();
  reactor->run();
  return kExitOk;
}
