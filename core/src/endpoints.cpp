#include "weft/endpoints.hpp"

#include "weft/deferred_helpers.hpp"
#include "weft/deferred_reactor.hpp"
#include "weft/errors.hpp"

namespace weft {

namespace {

class ConnectAttempt;

// Stands between the transport and the application's protocol, so the attempt learns when
// the connection is made (Twisted's _WrappingProtocol). It owns the attempt from then on: the
// connector calls the attempt (its factory) until the connection is gone, and the transport
// destroys this protocol only after that.
class WrappingProtocol final : public Protocol {
 public:
  WrappingProtocol(std::unique_ptr<Protocol> inner, std::shared_ptr<ConnectAttempt> attempt)
      : inner_(std::move(inner)), attempt_(std::move(attempt)) {}
  void makeConnection(Transport& t) override;
  void dataReceived(std::string_view data) override { inner_->dataReceived(data); }
  void connectionLost(const Reason& reason) override { inner_->connectionLost(reason); }
  bool halfCloseable() const override { return inner_->halfCloseable(); }
  void readConnectionLost() override { inner_->readConnectionLost(); }
  void writeConnectionLost() override { inner_->writeConnectionLost(); }

 private:
  std::unique_ptr<Protocol> inner_;
  std::shared_ptr<ConnectAttempt> attempt_;
};

// One connect(): the ClientFactory handed to connectTCP, which fires the Deferred. It keeps
// itself alive while connecting; once connected, its WrappingProtocol owns it.
class ConnectAttempt final : public ClientFactory,
                             public std::enable_shared_from_this<ConnectAttempt> {
 public:
  ConnectAttempt(Reactor& reactor, std::shared_ptr<Factory> inner)
      : reactor_(reactor), inner_(std::move(inner)) {}

  Deferred<Protocol*> start(const std::string& host, uint16_t port, Duration timeout,
                            const std::optional<Address>& bind) {
    std::weak_ptr<ConnectAttempt> weak = shared_from_this();
    Deferred<Protocol*> d([weak](Deferred<Protocol*>&) {
      // Stop the attempt: the connector closes its socket. Its clientConnectionFailed is
      // then ours to ignore; cancel() fails the Deferred with CancelledError.
      if (auto a = weak.lock()) {
        a->cancelling_ = true;
        auto c = a->connector_.lock();
        if (c && c->state() == Connector::State::Connecting) c->stopConnecting();
      }
    });
    deferred_ = d;
    self_ = shared_from_this();
    try {
      connector_ = reactor_.connectTCP(host, port, *this, timeout, bind);
    } catch (...) {
      self_.reset();
      d.errback(Failure(std::current_exception()));
    }
    return d;
  }

  std::unique_ptr<Protocol> buildProtocol(const Address& addr) override {
    auto p = inner_->buildProtocol(addr);
    if (!p) return nullptr;
    auto wrapped = std::make_unique<WrappingProtocol>(std::move(p), shared_from_this());
    self_.reset();  // the protocol owns us now
    return wrapped;
  }
  void startFactory() override { inner_->doStart(); }
  void stopFactory() override { inner_->doStop(); }
  void clientConnectionFailed(Connector&, const Reason& reason) override {
    if (!cancelling_ && !deferred_.called()) deferred_.errback(Failure(Error(reason)));
    // The connector still calls doStop() on us after this returns: let go on the next tick.
    if (self_) reactor_.callLater(Duration(0), [keep = std::move(self_)] {});
  }

  // A ClientFactory given to an endpoint still hears that its connection ended; failures to
  // connect reach it only through the Deferred (HostnameEndpoint may fail several times).
  void clientConnectionLost(Connector& c, const Reason& reason) override {
    if (auto* cf = dynamic_cast<ClientFactory*>(inner_.get())) cf->clientConnectionLost(c, reason);
  }

  void connected(Protocol* p) {
    if (!deferred_.called()) deferred_.callback(p);
  }

 private:
  Reactor& reactor_;
  std::shared_ptr<Factory> inner_;
  Deferred<Protocol*> deferred_;
  std::shared_ptr<ConnectAttempt> self_;
  std::weak_ptr<Connector> connector_;
  bool cancelling_ = false;
};

void WrappingProtocol::makeConnection(Transport& t) {
  transport = &t;
  inner_->makeConnection(t);
  attempt_->connected(inner_.get());
}

}  // namespace

Deferred<std::shared_ptr<ListeningPort>> TCPServerEndpoint::listen(Factory& factory) {
  return maybeDeferred([&] { return reactor_.listenTCP(port_, factory, backlog_, interface_); });
}

Deferred<Protocol*> TCPClientEndpoint::connect(std::shared_ptr<Factory> factory) {
  auto attempt = std::make_shared<ConnectAttempt>(reactor_, std::move(factory));
  return attempt->start(host_, port_, timeout_, bind_);
}

namespace {

// Tries addrs[i], then the next ones, until one connects.
Deferred<Protocol*> tryFrom(Reactor& reactor, std::shared_ptr<std::vector<Address>> addrs,
                            size_t i, std::shared_ptr<Factory> factory, Duration timeout) {
  const Address& a = (*addrs)[i];
  TCPClientEndpoint one(reactor, a.host(), a.port(), timeout);
  return one.connect(factory).addErrback(
      [&reactor, addrs, i, factory, timeout](const Failure& f) -> Deferred<Protocol*> {
        if (f.check<CancelledError>() || i + 1 >= addrs->size()) return fail<Protocol*>(f);
        return tryFrom(reactor, addrs, i + 1, factory, timeout);
      });
}

}  // namespace

Deferred<Protocol*> HostnameEndpoint::connect(std::shared_ptr<Factory> factory) {
  Reactor& reactor = reactor_;
  Duration timeout = timeout_;
  auto resolved = deferToThread(reactor, [resolver = resolver_, host = host_, port = port_] {
    return resolver(host, port);
  });
  return resolved.addCallback(
      [&reactor, factory, timeout, host = host_](std::vector<Address> addrs) {
        if (addrs.empty()) {
          return fail<Protocol*>(
              Failure(Error(ErrorKind::DnsLookup, "no addresses for '" + host + "'")));
        }
        auto shared = std::make_shared<std::vector<Address>>(std::move(addrs));
        return tryFrom(reactor, shared, 0, factory, timeout);
      });
}

}  // namespace weft
