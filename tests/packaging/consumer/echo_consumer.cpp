// An echo server built against an installed weft: `echo_consumer --reactor NAME --port N`.
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "weft/protocols/echo.hpp"
#include "weft/registry.hpp"

int main(int argc, char** argv) {
  std::string reactorName = "default";
  uint16_t port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view option = argv[i], value = argv[i + 1];
    if (option == "--reactor") {
      reactorName = value;
    } else if (option == "--port") {
      std::from_chars(value.data(), value.data() + value.size(), port);
    } else {
      std::fprintf(stderr, "usage: echo_consumer [--reactor NAME] [--port N]\n");
      return 2;
    }
  }
  auto reactor = weft::makeReactor(reactorName);
  weft::ProtocolFactory<weft::Echo> factory;
  auto listening = reactor->listenTCP(port, factory);
  std::printf("listening on %s\n", listening->getHost().toString().c_str());
  std::fflush(stdout);
  reactor->installSignalHandlers();
  reactor->run();
  return 0;
}
