// TcpPort: a listening socket (Twisted's tcp.Port). Accepts a batch per readiness event and
// survives EMFILE with the reserve-fd trick, so a full fd table never becomes a busy loop.
#pragma once

#include <memory>

#include "weft/poller_reactor.hpp"

namespace weft {

class TcpPort final : public ListeningPort, public FdHandler {
 public:
  // Throws Error(CannotListen).
  static std::shared_ptr<TcpPort> open(PollerReactor& reactor, uint16_t port, Factory& factory,
                                       int backlog, std::string_view interface);
  TcpPort(PollerReactor& reactor, int fd, Factory& factory);
  ~TcpPort() override;

  void stopListening() override;
  Address getHost() const override { return host_; }
  bool listening() const override { return fd_ >= 0; }
  void onReady(unsigned events) override;

 private:
  void accepted(int fd, const Address& peer);
  void onFdExhaustion(int err);

  PollerReactor& reactor_;
  int fd_;
  Factory& factory_;
  Address host_;
  int acceptBatch_ = 100;  // adapts like Twisted's numberAccepts
  uint64_t refusedFdTooLarge_ = 0;
  uint64_t refusedEmfile_ = 0;
  DelayedCall resumeCall_;
};

}  // namespace weft
