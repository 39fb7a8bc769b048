// TlsFactory, listenSSL, connectSSL and startTLS: TCP from the reactor, TLS from TlsProtocol.
#include <memory>

#include "weft/errors.hpp"
#include "weft/reactor_backend.hpp"
#include "weft/tls/tls.hpp"

namespace weft::tls {

TlsFactory::TlsFactory(Reactor& reactor, Factory& inner,
                       std::shared_ptr<const ServerContext> context)
    : reactor_(reactor), inner_(inner), server_(std::move(context)) {}

TlsFactory::TlsFactory(Reactor& reactor, Factory& inner,
                       std::shared_ptr<const ClientContext> context, std::string host,
                       uint16_t port)
    : reactor_(reactor),
      inner_(inner),
      client_(std::move(context)),
      host_(std::move(host)),
      port_(port) {}

TlsFactory::TlsFactory(Reactor& reactor, Factory& inner) : reactor_(reactor), inner_(inner) {}

std::unique_ptr<Protocol> TlsFactory::buildProtocol(const Address& addr) {
  auto p = inner_.buildProtocol(addr);
  if (!p) return nullptr;
  if (server_) return std::make_unique<TlsProtocol>(reactor_, std::move(p), server_);
  if (client_) return std::make_unique<TlsProtocol>(reactor_, std::move(p), client_, host_, port_);
  return std::make_unique<TlsProtocol>(reactor_, std::move(p));
}

void TlsFactory::startedConnecting(Connector& c) {
  if (auto* cf = dynamic_cast<ClientFactory*>(&inner_)) cf->startedConnecting(c);
}

void TlsFactory::clientConnectionFailed(Connector& c, const Reason& reason) {
  if (auto* cf = dynamic_cast<ClientFactory*>(&inner_)) cf->clientConnectionFailed(c, reason);
  if (afterClientCallback) afterClientCallback(c);
}

void TlsFactory::clientConnectionLost(Connector& c, const Reason& reason) {
  if (auto* cf = dynamic_cast<ClientFactory*>(&inner_)) cf->clientConnectionLost(c, reason);
  if (afterClientCallback) afterClientCallback(c);
}

namespace {

// The port listenSSL returns: the TCP port plus the TlsFactory it builds with. The reactor
// holds it as it holds a TCP port, so the factory lives exactly as long as the listening.
class TlsPort final : public ListeningPort {
 public:
  TlsPort(Reactor& reactor, std::unique_ptr<TlsFactory> factory)
      : reactor_(reactor), factory_(std::move(factory)) {}
  void open(uint16_t port, int backlog, std::string_view interface) {
    port_ = reactor_.listenTCP(port, *factory_, backlog, interface);
    host_ = port_->getHost();
  }
  void stopListening() override {
    if (!port_) return;
    auto port = std::move(port_);
    port->stopListening();
    backendOf(reactor_).untrackPort(this);  // may release the last reference: touch nothing after this
  }
  Address getHost() const override { return host_; }
  bool listening() const override { return port_ && port_->listening(); }

 private:
  Reactor& reactor_;
  std::unique_ptr<TlsFactory> factory_;
  std::shared_ptr<ListeningPort> port_;
  Address host_;
};

}  // namespace

std::shared_ptr<ListeningPort> listenSSL(Reactor& reactor, uint16_t port, Factory& factory,
                                         std::shared_ptr<const ServerContext> context, int backlog,
                                         std::string_view interface) {
  if (!context) throw Error(ErrorKind::InvalidArgument, "listenSSL: no ServerContext");
  auto p = std::make_shared<TlsPort>(
      reactor, std::make_unique<TlsFactory>(reactor, factory, std::move(context)));
  p->open(port, backlog, interface);
  backendOf(reactor).trackPort(p);
  return p;
}

std::shared_ptr<Connector> connectSSL(Reactor& reactor, std::string_view host, uint16_t port,
                                      ClientFactory& factory,
                                      std::shared_ptr<const ClientContext> context,
                                      Duration timeout, std::optional<Address> bindAddress) {
  if (!context) throw Error(ErrorKind::InvalidArgument, "connectSSL: no ClientContext");
  auto f =
      std::make_shared<TlsFactory>(reactor, factory, std::move(context), std::string(host), port);
  // The factory keeps itself alive (through `owner`) while its connector may still call it:
  // until a failure or a loss after which the application did not reconnect.
  auto owner = std::make_shared<std::shared_ptr<TlsFactory>>(f);
  f->afterClientCallback = [&reactor, owner](Connector& c) {
    if (c.state() != Connector::State::Disconnected || !*owner) return;
    // The connector still calls doStop() on the factory after this returns: let go on the
    // next tick.
    reactor.callLater(Duration(0), [last = std::move(*owner)] {});
  };
  try {
    return reactor.connectTCP(host, port, *f, timeout, std::move(bindAddress));
  } catch (...) {
    owner->reset();
    throw;
  }
}

namespace {
TlsTransport& upgradable(Transport& t) {
  auto* tls = tlsTransport(&t);
  if (!tls) {
    throw Error(ErrorKind::InvalidArgument,
                "startTLS: this connection was not made through a weft::tls::TlsFactory");
  }
  return *tls;
}
}  // namespace

void startTLS(Transport& transport, std::shared_ptr<const ServerContext> context) {
  upgradable(transport).startTLS(std::move(context));
}

void startTLS(Transport& transport, std::shared_ptr<const ClientContext> context,
              std::string serverName) {
  upgradable(transport).startTLS(std::move(context), std::move(serverName));
}

}  // namespace weft::tls
