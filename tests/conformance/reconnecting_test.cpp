// ReconnectingClientFactory on every reactor: reconnects after a lost connection with a
// growing delay, resetDelay() starts the back-off again, maxRetries ends the attempts, and
// jitter spreads the delays around the nominal one without making any negative.
#include <cmath>

#include "reactor_fixture.hpp"
#include "tcp_helpers.hpp"
#include "weft/reconnecting_client_factory.hpp"

namespace weft::test {
namespace {

class ReconnectingTest : public ReactorTest {
 protected:
  ScriptedFactory server;
  uint16_t closedPort() {
    ScriptedFactory f;
    auto p = reactor->listenTCP(0, f);
    uint16_t port = p->getHost().port();
    p->stopListening();
    return port;
  }
};

// Records each connection and the delay chosen after each loss or failure.
class RecordingReconnector : public ReconnectingClientFactory {
 public:
  int connections = 0, failures = 0;
  std::vector<double> delaysAfterLoss;
  std::function<void(RecordingReconnector&)> onBuild;
  std::function<void(RecordingReconnector&, Connector&)> afterLoss, afterFailure;

  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    ++connections;
    if (onBuild) onBuild(*this);
    return std::make_unique<Protocol>();
  }
  void clientConnectionLost(Connector& c, const Reason& r) override {
    ReconnectingClientFactory::clientConnectionLost(c, r);
    delaysAfterLoss.push_back(currentDelay());
    if (afterLoss) afterLoss(*this, c);
  }
  void clientConnectionFailed(Connector& c, const Reason& r) override {
    ++failures;
    ReconnectingClientFactory::clientConnectionFailed(c, r);
    if (afterFailure) afterFailure(*this, c);
  }
};

TEST_P(ReconnectingTest, ReconnectsAfterALostConnectionAndResetDelayRestartsTheBackOff) {
  // The server closes every connection at once. The first three connections do not reset the
  // delay, so it grows; the fourth calls resetDelay() (as an application does once connected),
  // so the delay after it starts from initialDelay again.
  server.configure = [](ScriptedProtocol& p) {
    p.onMade = [](ScriptedProtocol& s) { s.transport->loseConnection(); };
  };
  auto port = reactor->listenTCP(0, server);
  RecordingReconnector f;
  f.initialDelay = 0.001;
  f.factor = 2.0;
  f.jitter = 0;
  f.maxDelay = 1.0;
  double delayAfterReset = -1;
  int retriesAfterReset = -1;
  f.onBuild = [&](RecordingReconnector& self) {
    if (self.connections == 4) {
      self.resetDelay();
      delayAfterReset = self.currentDelay();
      retriesAfterReset = self.retries();
    }
  };
  f.afterLoss = [&](RecordingReconnector& self, Connector&) {
    if (self.connections == 5) {
      self.stopTrying();
      reactor->stop();
    }
  };
  reactor->connectTCP("127.0.0.1", port->getHost().port(), f);
  runReactor();
  EXPECT_EQ(f.connections, 5);
  EXPECT_EQ(server.logs.size(), 5u);
  EXPECT_DOUBLE_EQ(delayAfterReset, 0.001);
  EXPECT_EQ(retriesAfterReset, 0);
  ASSERT_EQ(f.delaysAfterLoss.size(), 5u);
  EXPECT_DOUBLE_EQ(f.delaysAfterLoss[0], 0.002);
  EXPECT_DOUBLE_EQ(f.delaysAfterLoss[1], 0.004);
  EXPECT_DOUBLE_EQ(f.delaysAfterLoss[2], 0.008);
  EXPECT_DOUBLE_EQ(f.delaysAfterLoss[3], 0.002) << "resetDelay() did not restart the back-off";
  EXPECT_FALSE(f.continueTrying());
}

TEST_P(ReconnectingTest, MaxRetriesEndsTheAttempts) {
  RecordingReconnector f;
  f.initialDelay = 0.001;
  f.factor = 2.0;
  f.jitter = 0;
  f.maxRetries = 2;
  // The attempt after the last allowed retry would come within 8 ms: wait well past it.
  f.afterFailure = [&](RecordingReconnector& self, Connector&) {
    if (self.failures == 3) reactor->callLater(Duration(0.1), [&] { reactor->stop(); });
  };
  reactor->connectTCP("127.0.0.1", closedPort(), f);
  runReactor();
  EXPECT_EQ(f.failures, 3) << "one attempt and two retries";
  EXPECT_EQ(f.connections, 0);
}

// A connector that only counts attempts, so retry() can be driven many times without sockets.
class CountingConnector : public Connector {
 public:
  explicit CountingConnector(Reactor& r) : reactor_(r) {}
  int attempts = 0;
  void stopConnecting() override {}
  void disconnect() override {}
  void connect() override { ++attempts; }
  State state() const override { return State::Disconnected; }
  std::string destination() const override { return "nowhere:0"; }
  Reactor& reactor() override { return reactor_; }

 private:
  Reactor& reactor_;
};

TEST_P(ReconnectingTest, JitterSpreadsDelaysAroundTheNominalOneAndNeverBelowZero) {
  // Twisted's jitter: the next delay is drawn from a normal distribution centred on the
  // nominal one (previous * factor, capped at maxDelay) with a standard deviation of
  // jitter * nominal, and never negative.
  RecordingReconnector f;
  f.initialDelay = 0.001;
  f.factor = 1.5;
  f.maxDelay = 0.002;
  f.jitter = 0.1;
  auto connector = std::make_shared<CountingConnector>(*reactor);
  constexpr int kSamples = 400;
  double sumRatio = 0, worstSigmas = 0;
  int distinct = 0;
  double previous = f.currentDelay();
  for (int i = 0; i < kSamples; ++i) {
    const double nominal = std::min(previous * f.factor, f.maxDelay);
    f.retry(*connector);
    const double d = f.currentDelay();
    EXPECT_GE(d, 0.0);
    sumRatio += d / nominal;
    worstSigmas = std::max(worstSigmas, std::abs(d - nominal) / (f.jitter * nominal));
    distinct += d != nominal;
    previous = d;
  }
  EXPECT_GT(distinct, kSamples / 2) << "jitter was not applied";
  EXPECT_LT(worstSigmas, 6.0) << "a delay far outside the distribution";
  // The mean of d/nominal is 1 with a standard error of 0.1 / sqrt(400) = 0.005.
  EXPECT_NEAR(sumRatio / kSamples, 1.0, 0.03);
  EXPECT_EQ(f.retries(), kSamples);
  f.stopTrying();
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(ReconnectingTest);

}  // namespace
}  // namespace weft::test
