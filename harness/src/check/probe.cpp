#include "check/probe.hpp"

#include <algorithm>

namespace weft::harness {

namespace {

class ProbeProtocol : public Protocol {
 public:
  explicit ProbeProtocol(std::shared_ptr<ConnState> s) : s_(std::move(s)) {}
  void connectionMade() override {
    s_->made = true;
    s_->transport = transport;
    // Scenarios write far more than they have read back; the default read backpressure would
    // stop us reading while our own write buffer is full, deadlocking against an echo server.
    transport->setReadBackpressure(false);
  }
  void dataReceived(std::string_view data) override { s_->received.append(data); }
  void connectionLost(const Reason& reason) override {
    s_->lost = true;
    s_->reason = reason;
    s_->transport = nullptr;
  }

 private:
  std::shared_ptr<ConnState> s_;
};

class ProbeFactory : public ClientFactory {
 public:
  explicit ProbeFactory(std::shared_ptr<ConnState> s) : s_(std::move(s)) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    return std::make_unique<ProbeProtocol>(s_);
  }
  void clientConnectionFailed(Connector&, const Reason& reason) override {
    s_->failed = true;
    s_->reason = reason;
  }

 private:
  std::shared_ptr<ConnState> s_;
};

}  // namespace

std::shared_ptr<ConnState> ClientSet::connect(double timeoutSeconds) {
  auto state = std::make_shared<ConnState>();
  factories_.push_back(std::make_unique<ProbeFactory>(state));
  reactor_.connectTCP("127.0.0.1", port_, *factories_.back(), Duration(timeoutSeconds));
  return state;
}

Driver::Driver(Reactor& r, double budget) : reactor_(r), deadline_(r.seconds() + budget) {}

bool Driver::expired() const {
  return reactor_.seconds() >= deadline_;
}

bool Driver::waitFor(const std::function<bool()>& pred, double maxSeconds) {
  double until = std::min(deadline_, reactor_.seconds() + maxSeconds);
  for (;;) {
    if (pred()) return true;
    double left = until - reactor_.seconds();
    if (left <= 0) return false;
    reactor_.iterate(Duration(std::min(left, 0.01)));
  }
}

void Driver::idle(double seconds) {
  waitFor([] { return false; }, seconds);
}

}  // namespace weft::harness
