// listenSSL / connectSSL / startTLS (Twisted's IReactorSSL and ITLSTransport), as free
// functions over any Reactor: TCP underneath, TlsProtocol between the transport and the
// application's protocol, so every reactor has TLS.
//
//   auto server = weft::tls::ServerContext::create({.certificate = {"cert.pem", "key.pem"}});
//   weft::tls::listenSSL(*reactor, 8443, factory, server);
//   auto client = weft::tls::ClientContext::create({.caFile = "ca.pem"});
//   weft::tls::connectSSL(*reactor, "localhost", 8443, clientFactory, client);
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "weft/protocol.hpp"
#include "weft/reactor.hpp"
#include "weft/tls/availability.hpp"
#include "weft/tls/context.hpp"
#include "weft/tls/tls_protocol.hpp"
#include "weft/tls/tls_transport.hpp"

namespace weft::tls {

// Builds `inner`'s protocols and puts each behind TLS. The ClientFactory callbacks
// (startedConnecting, clientConnectionFailed/Lost) go to `inner` if it is a ClientFactory.
// Without a context the connections stay plaintext until startTLS().
class TlsFactory final : public ClientFactory {
 public:
  TlsFactory(Reactor& reactor, Factory& inner, std::shared_ptr<const ServerContext> context);
  TlsFactory(Reactor& reactor, Factory& inner, std::shared_ptr<const ClientContext> context,
             std::string host, uint16_t port);
  // Plaintext first (STARTTLS): the protocol calls startTLS() when the protocol says so.
  TlsFactory(Reactor& reactor, Factory& inner);

  std::unique_ptr<Protocol> buildProtocol(const Address& addr) override;
  void startFactory() override { inner_.doStart(); }
  void stopFactory() override { inner_.doStop(); }
  void startedConnecting(Connector& c) override;
  void clientConnectionFailed(Connector& c, const Reason& reason) override;
  void clientConnectionLost(Connector& c, const Reason& reason) override;

  // Runs after each clientConnectionFailed/Lost was passed on (connectSSL's lifetime hook).
  std::function<void(Connector&)> afterClientCallback;

 private:
  Reactor& reactor_;
  Factory& inner_;
  std::shared_ptr<const ServerContext> server_;
  std::shared_ptr<const ClientContext> client_;
  std::string host_;
  uint16_t port_ = 0;
};

// listenTCP with TLS. The port is held by the reactor, as listenTCP's is; `factory` must
// outlive it. Throws Error(CannotListen), or Error(Unavailable) in a build without TLS.
std::shared_ptr<ListeningPort> listenSSL(Reactor& reactor, uint16_t port, Factory& factory,
                                         std::shared_ptr<const ServerContext> context,
                                         int backlog = 50,
                                         std::string_view interface = "127.0.0.1");

// connectTCP with TLS: `host` is also the name checked against the server's certificate
// (unless the context names another). `factory` must outlive the connection.
std::shared_ptr<Connector> connectSSL(Reactor& reactor, std::string_view host, uint16_t port,
                                      ClientFactory& factory,
                                      std::shared_ptr<const ClientContext> context,
                                      Duration timeout = Duration(30),
                                      std::optional<Address> bindAddress = {});

// Upgrade a live plaintext connection made through a TlsFactory without a context. Throws
// Error(InvalidArgument) for a connection that was not (TLS cannot be slid under a transport
// the protocol already talks to directly).
void startTLS(Transport& transport, std::shared_ptr<const ServerContext> context);
void startTLS(Transport& transport, std::shared_ptr<const ClientContext> context,
              std::string serverName = {});

}  // namespace weft::tls
