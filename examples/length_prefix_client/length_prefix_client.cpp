// The seed's client: connect, send "hello" framed with a 4-byte little-endian length prefix,
// print the reply, disconnect. A failed connection is reported by clientConnectionFailed.
#include <string>

#include "example_support.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"

namespace {

using weft::examples::say;

class HelloClient : public weft::Int32LEStringReceiver {
 public:
  explicit HelloClient(const std::string& message) : message_(message) {}
  void connectionMade() override { sendString(message_); }
  void stringReceived(std::string_view reply) override {
    say("received: " + std::string(reply));
    transport->loseConnection();
  }

 private:
  const std::string& message_;  // owned by the factory
};

class HelloClientFactory : public weft::ClientFactory {
 public:
  HelloClientFactory(weft::Reactor& reactor, std::string message)
      : reactor_(reactor), message_(std::move(message)) {}

  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<HelloClient>(message_);
  }
  void clientConnectionFailed(weft::Connector& connector, const weft::Reason& reason) override {
    say("connection to " + connector.destination() + " failed: " + reason.describe());
    exitCode = weft::examples::kExitFailure;
    reactor_.stop();
  }
  void clientConnectionLost(weft::Connector&, const weft::Reason& reason) override {
    say("disconnected: " + reason.describe());
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
                              {.program = "length_prefix_client",
                               .summary = "sends one u32le length-prefixed message and prints "
                                          "the reply",
                               .defaultPort = 8000,
                               .values = {"message"}});
  auto reactor = openReactor(options);
  HelloClientFactory factory(*reactor, options.value("message", "hello"));
  reactor->connectTCP(options.host, options.port, factory, weft::Duration(10));
  reactor->installSignalHandlers();
  reactor->run();
  return factory.exitCode;
}
