// Endpoints: where to listen and where to connect, as objects (Twisted's
// twisted.internet.endpoints). listen() gives a Deferred of the listening port; connect()
// gives a Deferred of the connected protocol, fired after its connectionMade. Cancelling a
// pending connect stops the attempt and closes its socket. Built only on the Reactor's
// application API, so every reactor has them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/deferred.hpp"
#include "weft/protocol.hpp"
#include "weft/reactor.hpp"

namespace weft {

class ServerEndpoint {
 public:
  virtual ~ServerEndpoint() = default;
  // Fails with weft::Error (CannotListen) when the port cannot be opened. The factory must
  // outlive the port and its connections, as with listenTCP.
  virtual Deferred<std::shared_ptr<ListeningPort>> listen(Factory& factory) = 0;
};

class ClientEndpoint {
 public:
  virtual ~ClientEndpoint() = default;
  // Fires with the protocol `factory` built, once connected (it is owned by its transport
  // and lives until connectionLost). Fails with weft::Error whose kind names the reason
  // (ConnectionRefused, TimedOut, DnsLookup, ...), or CancelledError after cancel().
  virtual Deferred<Protocol*> connect(std::shared_ptr<Factory> factory) = 0;
  // A factory the caller keeps alive (for as long as the connection lasts).
  Deferred<Protocol*> connect(Factory& factory) {
    return connect(std::shared_ptr<Factory>(std::shared_ptr<Factory>(), &factory));
  }
};

// TCP4ServerEndpoint / TCP6ServerEndpoint: the interface's family decides ("::" = IPv6 any).
class TCPServerEndpoint final : public ServerEndpoint {
 public:
  TCPServerEndpoint(Reactor& reactor, uint16_t port, int backlog = 50,
                    std::string interface = "127.0.0.1")
      : reactor_(reactor), port_(port), backlog_(backlog), interface_(std::move(interface)) {}
  Deferred<std::shared_ptr<ListeningPort>> listen(Factory& factory) override;

  uint16_t port() const { return port_; }
  int backlog() const { return backlog_; }
  const std::string& interface() const { return interface_; }

 private:
  Reactor& reactor_;
  uint16_t port_;
  int backlog_;
  std::string interface_;
};

// TCP4ClientEndpoint / TCP6ClientEndpoint: one attempt to host:port (a name is resolved by
// the reactor, which uses its first address; HostnameEndpoint tries them all).
class TCPClientEndpoint final : public ClientEndpoint {
 public:
  TCPClientEndpoint(Reactor& reactor, std::string host, uint16_t port,
                    Duration timeout = Duration(30), std::optional<Address> bindAddress = {})
      : reactor_(reactor),
        host_(std::move(host)),
        port_(port),
        timeout_(timeout),
        bind_(std::move(bindAddress)) {}
  using ClientEndpoint::connect;
  Deferred<Protocol*> connect(std::shared_ptr<Factory> factory) override;

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  Duration timeout() const { return timeout_; }
  const std::optional<Address>& bindAddress() const { return bind_; }

 private:
  Reactor& reactor_;
  std::string host_;
  uint16_t port_;
  Duration timeout_;
  std::optional<Address> bind_;
};

// Every address of host:port, in the resolver's order; throws weft::Error(DnsLookup).
// Blocking (getaddrinfo): HostnameEndpoint calls it on the reactor's thread pool.
std::vector<Address> resolveAll(const std::string& host, uint16_t port);

// Resolves the name off the reactor thread, then tries each address in turn until one
// connects (Twisted's HostnameEndpoint, without the staggered parallel attempts). Fails with
// the last attempt's error when none does.
class HostnameEndpoint final : public ClientEndpoint {
 public:
  using Resolver = std::function<std::vector<Address>(const std::string& host, uint16_t port)>;
  HostnameEndpoint(Reactor& reactor, std::string host, uint16_t port,
                   Duration timeout = Duration(30), Resolver resolver = resolveAll)
      : reactor_(reactor),
        host_(std::move(host)),
        port_(port),
        timeout_(timeout),
        resolver_(std::move(resolver)) {}
  using ClientEndpoint::connect;
  Deferred<Protocol*> connect(std::shared_ptr<Factory> factory) override;

  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  Duration timeout() const { return timeout_; }

 private:
  Reactor& reactor_;
  std::string host_;
  uint16_t port_;
  Duration timeout_;
  Resolver resolver_;
};

namespace detail {
// Hands out one protocol instance, once (connectProtocol's factory).
class SingleProtocolFactory final : public Factory {
 public:
  explicit SingleProtocolFactory(std::unique_ptr<Protocol> p) : protocol_(std::move(p)) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override { return std::move(protocol_); }

 private:
  std::unique_ptr<Protocol> protocol_;
};
}  // namespace detail

// Connects `protocol` itself through `endpoint` (Twisted's connectProtocol); fires with it.
template <class P>
Deferred<P*> connectProtocol(ClientEndpoint& endpoint, std::unique_ptr<P> protocol) {
  P* raw = protocol.get();
  auto factory = std::make_shared<detail::SingleProtocolFactory>(std::move(protocol));
  return endpoint.connect(factory).addCallback([raw](Protocol*) { return raw; });
}

}  // namespace weft
