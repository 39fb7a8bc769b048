// The framing receivers and the raw stream, delivering into a MessageChannel a coroutine
// awaits (see message_channel.hpp): AwaitableLineReceiver, AwaitableIntNStringReceiver
// (length-prefixed), AwaitableNetstringReceiver, AwaitableStream (each chunk read is a
// message); connectChannel() connects one through an endpoint and gives its channel.
#pragma once

#include <memory>
#include <string_view>
#include <utility>

#include "weft/endpoints.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/protocols/message_channel.hpp"
#include "weft/protocols/netstring_receiver.hpp"

namespace weft {

// A receiver (a PauseableProtocol) wired to a channel: connectionMade attaches it, every
// message is delivered, connectionLost ends the channel, and the channel's backpressure
// pauses the receiver (which holds complete messages and pauses its transport).
template <class Receiver>
class ChannelProtocol : public Receiver, public ChannelEnd {
 public:
  template <class... A>
  explicit ChannelProtocol(size_t bound, A&&... receiverArgs)
      : Receiver(std::forward<A>(receiverArgs)...),
        channel_(std::make_shared<MessageChannel>(bound)) {}

  const std::shared_ptr<MessageChannel>& channel() const { return channel_; }

  void connectionMade() override { channel_->attach(*this); }
  void connectionLost(const Reason& reason) override { channel_->ended(reason); }
  void pauseReading() override { this->pauseProducing(); }
  void resumeReading() override { this->resumeProducing(); }
  void closeConnection() override { this->transport->loseConnection(); }

 private:
  std::shared_ptr<MessageChannel> channel_;
};

class AwaitableLineReceiver final : public ChannelProtocol<LineReceiver> {
 public:
  explicit AwaitableLineReceiver(size_t bound = MessageChannel::kDefaultBound,
                                 std::string_view delimiter = "\r\n")
      : ChannelProtocol(bound, delimiter) {}
  void lineReceived(std::string_view line) override { channel()->deliver(line); }
  void sendMessage(std::string_view message) override { sendLine(message); }
};

class AwaitableIntNStringReceiver final : public ChannelProtocol<IntNStringReceiver> {
 public:
  explicit AwaitableIntNStringReceiver(PrefixFormat format,
                                       size_t bound = MessageChannel::kDefaultBound)
      : ChannelProtocol(bound, format) {}
  void stringReceived(std::string_view s) override { channel()->deliver(s); }
  void sendMessage(std::string_view message) override { sendString(message); }
};

class AwaitableNetstringReceiver final : public ChannelProtocol<NetstringReceiver> {
 public:
  explicit AwaitableNetstringReceiver(size_t bound = MessageChannel::kDefaultBound)
      : ChannelProtocol(bound) {}
  void stringReceived(std::string_view s) override { channel()->deliver(s); }
  void sendMessage(std::string_view message) override { sendString(message); }
};

// Unframed bytes: each dataReceived chunk is one message; send writes as is. Backpressure
// pauses the transport directly.
class AwaitableStream final : public Protocol, public ChannelEnd {
 public:
  explicit AwaitableStream(size_t bound = MessageChannel::kDefaultBound)
      : channel_(std::make_shared<MessageChannel>(bound)) {}
  const std::shared_ptr<MessageChannel>& channel() const { return channel_; }

  void connectionMade() override { channel_->attach(*this); }
  void dataReceived(std::string_view data) override { channel_->deliver(data); }
  void connectionLost(const Reason& reason) override { channel_->ended(reason); }
  void sendMessage(std::string_view message) override { transport->write(message); }
  void pauseReading() override { transport->pauseProducing(); }
  void resumeReading() override { transport->resumeProducing(); }
  void closeConnection() override { transport->loseConnection(); }

 private:
  std::shared_ptr<MessageChannel> channel_;
};

// Connects `protocol` through `endpoint`; fires with its channel once connected.
template <class P>
Deferred<std::shared_ptr<MessageChannel>> connectChannel(ClientEndpoint& endpoint,
                                                         std::unique_ptr<P> protocol) {
  std::shared_ptr<MessageChannel> channel = protocol->channel();
  return connectProtocol(endpoint, std::move(protocol)).addCallback([channel](P*) {
    return channel;
  });
}

}  // namespace weft
