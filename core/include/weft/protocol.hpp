// Protocol and the factories that build them (Twisted's IProtocol / IProtocolFactory).
#pragma once

#include <memory>
#include <string_view>

#include "weft/address.hpp"
#include "weft/errors.hpp"
#include "weft/transport.hpp"

namespace weft {

class Connector;

class Protocol {
 public:
  virtual ~Protocol() = default;

  // Called by the transport once the connection is up. Sets `transport`, then connectionMade().
  virtual void makeConnection(Transport& t) {
    transport = &t;
    connectionMade();
  }
  virtual void connectionMade() {}
  // A non-owning view into the transport's read buffer, valid only during this call.
  virtual void dataReceived(std::string_view data) { (void)data; }
  // Exactly once per connection. `transport` must not be used afterwards.
  virtual void connectionLost(const Reason& reason) { (void)reason; }

  // Half-close support (Twisted's IHalfCloseableProtocol). Without it, a peer's EOF makes
  // the transport flush what is queued and close (weft flushes; Twisted drops).
  virtual bool halfCloseable() const { return false; }
  virtual void readConnectionLost() {}   // the peer shut down its write side
  virtual void writeConnectionLost() {}  // our loseWriteConnection() completed

  Transport* transport = nullptr;  // not owned; valid from makeConnection to connectionLost
};

// Builds one Protocol per accepted connection. The factory must outlive its ports and
// connections. startFactory/stopFactory run once however many ports share the factory.
class Factory {
 public:
  virtual ~Factory() = default;
  // Return null to refuse the connection (it is closed at once).
  virtual std::unique_ptr<Protocol> buildProtocol(const Address& addr) = 0;
  virtual void startFactory() {}
  virtual void stopFactory() {}

  void doStart() {
    if (numPorts_++ == 0) startFactory();
  }
  void doStop() {
    if (numPorts_ > 0 && --numPorts_ == 0) stopFactory();
  }

 private:
  int numPorts_ = 0;
};

class ClientFactory : public Factory {
 public:
  virtual void startedConnecting(Connector& connector) { (void)connector; }
  virtual void clientConnectionFailed(Connector& connector, const Reason& reason) {
    (void)connector, (void)reason;
  }
  // Runs after the protocol's connectionLost (Twisted's order).
  virtual void clientConnectionLost(Connector& connector, const Reason& reason) {
    (void)connector, (void)reason;
  }
};

// A factory that default-constructs P for every connection.
template <class P, class Base = Factory>
class ProtocolFactory : public Base {
 public:
  std::unique_ptr<Protocol> buildProtocol(const Address&) override { return std::make_unique<P>(); }
};

}  // namespace weft
