// TcpConnector: one outgoing connection's life (Twisted's tcp.Connector): resolve off the
// loop thread, non-blocking connect with a timeout, then hand the socket to a StreamTransport.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "weft/poller_reactor.hpp"

namespace weft {

class StreamTransport;

class TcpConnector final : public Connector, public FdHandler {
 public:
  TcpConnector(PollerReactor& reactor, std::string host, uint16_t port, ClientFactory& factory,
               Duration timeout, std::optional<Address> bindAddress);
  ~TcpConnector() override;

  void stopConnecting() override;
  void disconnect() override;
  void connect() override;
  State state() const override { return state_; }
  std::string destination() const override { return host_ + ":" + std::to_string(port_); }
  Reactor& reactor() override { return reactor_; }

  void onReady(unsigned events) override;
  // From the transport, after the protocol's connectionLost.
  void connectionLost(const Reason& why);

 private:
  std::shared_ptr<TcpConnector> self() {
    return std::static_pointer_cast<TcpConnector>(shared_from_this());
  }
  void resolved(std::optional<Address> addr, const std::string& error);
  void beginConnect(const Address& addr);
  void connected();
  void fail(const Reason& why);
  void failSoon(Reason why);
  void closeSocket();

  PollerReactor& reactor_;
  std::string host_;
  uint16_t port_;
  ClientFactory& factory_;
  Duration timeout_;
  std::optional<Address> bind_;
  State state_ = State::Disconnected;
  int fd_ = -1;
  uint64_t attempt_ = 0;  // invalidates resolutions and deferred failures of old attempts
  bool factoryStarted_ = false;
  DelayedCall timeoutCall_;
  DelayedCall failCall_;
  Address target_;
  StreamTransport* transport_ = nullptr;  // owned by the reactor while connected
};

}  // namespace weft
