// The classic echo server: every byte a client sends comes straight back.
#include "example_support.hpp"

namespace {

class Echo : public weft::Protocol {
 public:
  void dataReceived(std::string_view data) override { transport->write(data); }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "echo_server",
                               .summary = "writes back every byte it receives",
                               .defaultPort = 8000});
  auto reactor = openReactor(options);
  weft::ProtocolFactory<Echo> factory;  // outlives the port and every connection
  auto port = listenAndAnnounce(*reactor, options, options.port, factory);
  return serveForever(*reactor);
}
