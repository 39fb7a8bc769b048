// The classic echo client: connect, write "Hello, world!", print what comes back, hang up.
// Failure and loss are reported through the ClientFactory, which also stops the reactor.
#include <string>

#include "example_support.hpp"

namespace {

using weft::examples::say;

class EchoClient : public weft::Protocol {
 public:
  explicit EchoClient(std::string message) : message_(std::move(message)) {}

  void connectionMade() override { transport->write(message_); }

  void dataReceived(std::string_view data) override {
    // TCP may split the echo; wait until all of it is back before printing.
    received_.append(data);
    if (received_.size() < message_.size()) return;
    say("Server said: " + received_);
    transport->loseConnection();
  }

 private:
  std::string message_;
  std::string received_;
};

class EchoClientFactory : public weft::ClientFactory {
 public:
  EchoClientFactory(weft::Reactor& reactor, std::string message)
      : reactor_(reactor), message_(std::move(message)) {}

  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<EchoClient>(message_);
  }
  void clientConnectionFailed(weft::Connector&, const weft::Reason& reason) override {
    say("Connection failed: " + reason.describe());
    exitCode = weft::examples::kExitFailure;
    reactor_.stop();
  }
  void clientConnectionLost(weft::Connector&, const weft::Reason& reason) override {
    say("Connection lost: " + reason.describe());
    reactor_.stop();
  }

  int exitCode = weft::examples::kExitOk;

 private:
  weft::Reactor& reactor_;
  std::string message_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "echo_client",
                               .summary = "sends a message to an echo server and "
                                          "prints the reply",
                               .defaultPort = 8000,
                               .values = {"message"}});
  auto reactor = openReactor(options);
  EchoClientFactory factory(*reactor, options.value("message", "Hello, world!"));
  reactor->connectTCP(options.host, options.port, factory, weft::Duration(10));
  reactor->installSignalHandlers();
  reactor->run();
  return factory.exitCode;
}
