// Twisted's pubsub server: every line from one client goes to all the others, prefixed with
// the sender's address. (Twisted's version prefixes getHost(), the server's own address, and
// echoes to the sender too; the peer's address and "others only" is what it meant.)
#include <set>
#include <string>

#include "example_support.hpp"
#include "weft/protocols/line_receiver.hpp"

namespace {

class PubProtocol;
// Live connections; each protocol adds itself on connectionMade and leaves on connectionLost.
using Subscribers = std::set<PubProtocol*>;

class PubProtocol : public weft::LineReceiver {
 public:
  explicit PubProtocol(Subscribers& subscribers)
      : LineReceiver("\r\n", 4096), subscribers_(subscribers) {}

  void connectionMade() override {
    prefix_ = "<" + transport->getPeer().toString() + "> ";
    subscribers_.insert(this);
  }
  void connectionLost(const weft::Reason&) override { subscribers_.erase(this); }

  void lineReceived(std::string_view line) override {
    std::string message = prefix_ + std::string(line);
    for (auto* s : subscribers_)
      if (s != this) s->sendLine(message);
  }

 private:
  Subscribers& subscribers_;
  std::string prefix_;
};

class PubFactory : public weft::Factory {
 public:
  std::unique_ptr<weft::Protocol> buildProtocol(const weft::Address&) override {
    return std::make_unique<PubProtocol>(subscribers_);
  }

 private:
  Subscribers subscribers_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace weft::examples;
  auto options = parseOptions(argc, argv,
                              {.program = "pubsub_server",
                               .summary = "relays each line to every other client, "
                                          "prefixed with the sender's address",
                               .defaultPort = 1025});
  auto reactor = openReactor(options);
  PubFactory factory;
  auto port = listenAndAnnounce(*reactor, options, options.port, factory);
  return serveForever(*reactor);
}
