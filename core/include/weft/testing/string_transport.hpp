// An in-memory Transport for testing protocols without sockets (Twisted's
// proto_helpers.StringTransport): records writes, disconnect requests and pause state.
#pragma once

#include <string>
#include <utility>

#include "weft/errors.hpp"
#include "weft/transport.hpp"

namespace weft::testing {

class StringTransport : public Transport {
 public:
  std::string written;  // everything written, in order
  bool loseConnectionCalled = false;
  bool abortCalled = false;
  bool writeLost = false;
  bool paused = false;   // pauseProducing() without resumeProducing()
  bool stopped = false;  // stopProducing()
  PushProducer* producer = nullptr;
  Address peer = *Address::parse("10.0.0.1", 12345);
  Address host = *Address::parse("127.0.0.1", 4321);

  void write(std::string_view data) override {
    if (!loseConnectionCalled && !abortCalled) written.append(data);
  }
  void writeSequence(std::span<const std::string_view> parts) override {
    for (auto p : parts) write(p);
  }
  using Transport::writeSequence;
  void loseConnection() override {
    loseConnectionCalled = true;
    markDisconnecting();
  }
  void loseWriteConnection() override { writeLost = true; }
  void abortConnection() override {
    abortCalled = true;
    markDisconnecting();
  }
  Address getPeer() const override { return peer; }
  Address getHost() const override { return host; }
  void registerProducer(PushProducer& p) override {
    if (producer) throw Error(ErrorKind::InvalidArgument, "a producer is already registered");
    producer = &p;
  }
  void unregisterProducer() override { producer = nullptr; }
  void setWaterMarks(WaterMarks) override {}
  void setReadBackpressure(bool) override {}
  size_t bufferedBytes() const override { return 0; }
  void setTcpNoDelay(bool on) override { noDelay_ = on; }
  bool getTcpNoDelay() const override { return noDelay_; }
  void setTcpKeepAlive(bool on) override { keepAlive_ = on; }
  bool getTcpKeepAlive() const override { return keepAlive_; }
  bool connected() const override { return !disconnecting(); }
  void pauseProducing() override { paused = true; }
  void resumeProducing() override { paused = false; }
  void stopProducing() override { stopped = true; }

  std::string take() { return std::exchange(written, {}); }

 private:
  bool noDelay_ = true;
  bool keepAlive_ = false;
};

}  // namespace weft::testing
