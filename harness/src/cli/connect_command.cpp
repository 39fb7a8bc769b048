// weft connect: the seed applications' client. Connects to HOST:PORT, sends every message
// (pipelined, each framed by the protocol), prints each reply on its own line, exits 0 once
// all replies arrived. A refused or timed-out connection is one clear line and exit 1.
#include <iostream>
#include <optional>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"
#include "common/wire.hpp"
#include "weft/endpoint_strings.hpp"
#include "weft/errors.hpp"
#include "weft/protocol.hpp"
#include "weft/tls/tls.hpp"

namespace weft::harness {

namespace {

struct Outcome {
  int code = kExitFailure;
  std::string error;
};

class ConnectClient : public Protocol {
 public:
  ConnectClient(const WireFormat& f, const std::vector<std::string>& msgs, Outcome& out)
      : wire_(f), splitter_(f), msgs_(msgs), out_(out) {}

  void connectionMade() override {
    std::string batch;
    for (const auto& m : msgs_) appendFrame(batch, wire_, m);
    if (msgs_.empty()) return finish();
    transport->write(batch);
  }

  void dataReceived(std::string_view data) override {
    splitter_.feed(data);
    if (wire_.wire == Wire::Echo) {
      // Echo has no frames: a reply is as long as the message it echoes.
      echoed_.append(data);
      while (replies_ < msgs_.size() && echoed_.size() >= msgs_[replies_].size()) {
        std::cout << echoed_.substr(0, msgs_[replies_].size()) << "\n";
        echoed_.erase(0, msgs_[replies_].size());
        ++replies_;
      }
    } else {
      while (auto payload = splitter_.next()) {
        std::cout << *payload << "\n";
        ++replies_;
      }
      if (splitter_.error()) {
        out_.error = "malformed reply";
        transport->loseConnection();
        return;
      }
    }
    if (replies_ >= msgs_.size()) finish();
  }

  void connectionLost(const Reason& reason) override {
    std::cout.flush();
    if (out_.code != kExitOk && out_.error.empty()) {
      out_.error = "connection closed after " + std::to_string(replies_) + " of " +
                   std::to_string(msgs_.size()) + " replies: " + reason.describe();
    }
  }

 private:
  void finish() {
    out_.code = kExitOk;
    transport->loseConnection();
  }

  WireFormat wire_;
  FrameSplitter splitter_;
  const std::vector<std::string>& msgs_;
  Outcome& out_;
  std::string echoed_;
  size_t replies_ = 0;
};

class ConnectFactory : public ClientFactory {
 public:
  ConnectFactory(Reactor& r, const WireFormat& f, const std::vector<std::string>& msgs,
                 std::string dest)
      : reactor_(r), wire_(f), msgs_(msgs), dest_(std::move(dest)) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    return std::make_unique<ConnectClient>(wire_, msgs_, outcome);
  }
  void clientConnectionFailed(Connector&, const Reason& reason) override {
    outcome.error = "cannot connect to " + dest_ + ": " + reason.describe();
    stopSoon();
  }
  void clientConnectionLost(Connector&, const Reason&) override { stopSoon(); }

  // stop() throws once a stop is under way, and both the timeout and the connection may ask.
  void stopSoon() {
    if (stopping_ || !reactor_.running()) return;
    stopping_ = true;
    reactor_.stop();
  }

  Outcome outcome;

 private:
  bool stopping_ = false;
  Reactor& reactor_;
  WireFormat wire_;
  const std::vector<std::string>& msgs_;
  std::string dest_;
};

std::pair<std::string, uint16_t> splitTarget(const std::string& t) {
  size_t colon = t.rfind(':');
  if (colon == std::string::npos || colon + 1 == t.size()) {
    throw UsageError("weft connect: expected HOST:PORT, got '" + t + "'");
  }
  std::string host = t.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = std::stoi(t.substr(colon + 1));
  if (port <= 0 || port > 65535) throw UsageError("weft connect: bad port in '" + t + "'");
  return {host, static_cast<uint16_t>(port)};
}

// --endpoint: the connection is made through an endpoint; its Deferred reports a failure.
// (The endpoint still tells the ClientFactory when the connection is lost.)
void connectToEndpoint(Reactor& reactor, const std::string& description, ConnectFactory& factory) {
  std::unique_ptr<ClientEndpoint> endpoint;
  try {
    endpoint = clientFromString(reactor, description);
  } catch (const EndpointStringError& e) {
    throw UsageError(std::string("weft connect: --endpoint: ") + e.what());
  }
  reactor.callWhenRunning([&reactor, &factory, &description, ep = std::shared_ptr(std::move(endpoint))] {
    ep->connect(factory).addErrback([&](const Failure& f) {
      factory.outcome.error = "cannot connect to " + description + ": " + f.message();
      factory.stopSoon();
      return static_cast<Protocol*>(nullptr);
    });
  });
}

}  // namespace

int runConnect(const ConnectOptions& o) {
  WireFormat wire;
  auto w = parseWire(o.protocol);
  if (!w) throw UsageError("weft connect: unknown protocol '" + o.protocol + "'");
  wire.wire = *w;
  if (!parsePrefix(o.prefix, wire)) throw UsageError("weft connect: unknown prefix " + o.prefix);
  if (!parseDelimiter(o.delimiter, wire)) {
    throw UsageError("weft connect: unknown delimiter " + o.delimiter);
  }
  if (o.target.empty() == o.endpoint.empty()) {
    throw UsageError("weft connect: give either HOST:PORT or --endpoint DESCRIPTION");
  }
  std::string host;
  uint16_t port = 0;
  if (!o.target.empty()) std::tie(host, port) = splitTarget(o.target);
  std::vector<std::string> msgs = o.messages;
  if (msgs.empty()) {
    for (std::string line; std::getline(std::cin, line);) msgs.push_back(line);
  }
  auto reactor = openReactor(o.reactor);
  const std::string& dest = o.endpoint.empty() ? o.target : o.endpoint;
  ConnectFactory factory(*reactor, wire, msgs, dest);
  auto timeout = Duration(o.timeout);
  if (o.tls && !tls::tlsAvailable())
    throw UsageError("weft connect: TLS unavailable: " + std::string(tls::tlsUnavailableReason()));
  if (o.tls && !o.endpoint.empty()) throw UsageError("weft connect: --tls needs HOST:PORT");
  if (o.tls) {
#if WEFT_HAVE_TLS
    tls::ClientOptions co;
    co.caFile = o.ca;
    try {
      tls::connectSSL(*reactor, host, port, factory, tls::ClientContext::create(co), timeout);
    } catch (const Error& e) {
      std::cerr << "weft connect: " << e.what() << "\n";
      return kExitFailure;
    }
#endif
  } else if (o.endpoint.empty()) {
    reactor->connectTCP(host, port, factory, timeout);
  } else {
    connectToEndpoint(*reactor, o.endpoint, factory);
  }
  // One deadline for the whole exchange, so a silent server cannot hang us.
  reactor->callLater(timeout, [&] {
    if (factory.outcome.code != kExitOk && factory.outcome.error.empty()) {
      factory.outcome.error =
          "timed out after " + std::to_string(o.timeout) + " s waiting for " + dest;
    }
    factory.stopSoon();
  });
  reactor->run();
  std::cout.flush();
  if (factory.outcome.code != kExitOk) {
    std::cerr << "weft connect: " << factory.outcome.error << "\n";
  }
  return factory.outcome.code;
}

}  // namespace weft::harness
