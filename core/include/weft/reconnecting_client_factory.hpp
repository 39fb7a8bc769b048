// ReconnectingClientFactory: reconnects after a failed or lost connection with exponential
// back-off and jitter (Twisted's semantics). Call resetDelay() once a connection succeeds
// (typically from buildProtocol); stopTrying() ends the retries.
#pragma once

#include <memory>
#include <optional>
#include <random>

#include "weft/protocol.hpp"
#include "weft/reactor.hpp"

namespace weft {

class ReconnectingClientFactory : public ClientFactory {
 public:
  double maxDelay = 3600.0;
  double initialDelay = 1.0;
  double factor = 2.7182818284590451;  // e
  double jitter = 0.11962656472;       // standard deviation as a fraction of the delay
  std::optional<int> maxRetries;

  void clientConnectionFailed(Connector& connector, const Reason& reason) override;
  void clientConnectionLost(Connector& connector, const Reason& reason) override;

  // Schedule the next attempt on `connector`, with the next back-off delay.
  void retry(Connector& connector);
  void stopTrying();
  void resetDelay();

  double currentDelay() const { return delay_ < 0 ? initialDelay : delay_; }
  int retries() const { return retries_; }
  bool continueTrying() const { return continueTrying_; }

 private:
  double delay_ = -1;  // < 0: no attempt yet, start from initialDelay (set after construction)
  int retries_ = 0;
  bool continueTrying_ = true;
  std::weak_ptr<Connector> lastConnector_;
  DelayedCall pending_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace weft
