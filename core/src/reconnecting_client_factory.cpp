#include "weft/reconnecting_client_factory.hpp"

#include <algorithm>

namespace weft {

void ReconnectingClientFactory::clientConnectionFailed(Connector& connector, const Reason&) {
  if (continueTrying_) retry(connector);
}

void ReconnectingClientFactory::clientConnectionLost(Connector& connector, const Reason&) {
  if (continueTrying_) retry(connector);
}

void ReconnectingClientFactory::retry(Connector& connector) {
  if (!continueTrying_) return;
  lastConnector_ = connector.weak_from_this();
  ++retries_;
  if (maxRetries && retries_ > *maxRetries) return;
  delay_ = std::min(currentDelay() * factor, maxDelay);
  if (jitter > 0) {
    std::normal_distribution<double> dist(delay_, delay_ * jitter);
    delay_ = std::max(0.0, dist(rng_));
  }
  // The connector is kept alive until the retry runs.
  pending_ = connector.reactor().callLater(Duration(delay_),
                                           [c = connector.shared_from_this()] { c->connect(); });
}

void ReconnectingClientFactory::stopTrying() {
  if (pending_.active()) pending_.cancel();
  continueTrying_ = false;
  if (auto c = lastConnector_.lock(); c && c->state() == Connector::State::Connecting)
    c->stopConnecting();
}

void ReconnectingClientFactory::resetDelay() {
  delay_ = initialDelay;
  retries_ = 0;
  continueTrying_ = true;
}

}  // namespace weft
