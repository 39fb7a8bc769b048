// Two servers in one process and one thread: one reactor serves both ports, so neither needs
// a thread of its own. Each answers every chunk it receives with its greeting.
#include <string>

#include "example_support.hpp"

namespace {

class Greeter : public weft::Protocol {
 public:
  explicit Greeter(const std::string& greeting) : greeting_(greeting) {}
  void dataReceived(std::string_view data) override {
    transport->writeSequence({greeting_, ", ", data});
  }

 private:
  const std::string& greeting_;  // owned by the factory, which outlives the connection
};

class GreeterFactory : public weft::Factory {
 public:
  explicit GreeterFactory(std::string greeting) : greeting_(std::move(greeting)) {}
  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<Greeter>(greeting_);
  }

 private:
  std::string greeting_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "hello_bonjour",
                               .summary = "answers 'Hello, <data>' on --port and "
                                          "'Bonjour, <data>' on --bonjour-port",
                               .defaultPort = 8000,
                               .values = {"bonjour-port"}});
  // With --port 0 both ports are ephemeral; otherwise Bonjour defaults to the next port.
  uint16_t bonjourPort = options.port == 0 ? 0 : static_cast<uint16_t>(options.port + 1);
  if (auto text = options.value("bonjour-port"); !text.empty())
    bonjourPort = parsePort("hello_bonjour", text);

  auto reactor = openReactor(options);
  GreeterFactory hello("Hello");
  GreeterFactory bonjour("Bonjour");
  // Two `listening on` lines: Hello first, then Bonjour.
  auto helloPort = listenAndAnnounce(*reactor, options, options.port, hello);
  auto bonjourListening = listenAndAnnounce(*reactor, options, bonjourPort, bonjour);
  return serveForever(*reactor);
}
