// MessageChannel: received messages as Deferreds a coroutine can co_await, one connection's
// worth. What the coroutine holds (shared_ptr): it outlives the protocol, so after the
// connection ends next() fails with ConnectionClosedError instead of touching a dead object.
//
//   auto ch = co_await connectChannel(*endpoint, std::make_unique<AwaitableLineReceiver>());
//   ch->send("hello");
//   std::string reply = co_await ch->next();   // ConnectionClosedError when the peer closes
//
// Backpressure: messages nobody has asked for wait in a queue; once it holds `bound` of them
// the protocol stops reading from the socket (its pauseProducing), and the queue draining to
// half resumes it. A coroutine that does not await therefore stops the peer, not our memory.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "weft/deferred.hpp"
#include "weft/errors.hpp"
#include "weft/transport.hpp"

namespace weft {

// The connection ended: what next() fails with once the queue is empty, and what send()
// throws. reason() says how (ConnectionDone for a clean close).
class ConnectionClosedError : public std::runtime_error {
 public:
  explicit ConnectionClosedError(Reason reason)
      : std::runtime_error("connection closed: " + reason.describe()), reason_(std::move(reason)) {}
  const Reason& reason() const { return reason_; }

 private:
  Reason reason_;
};

// The protocol side of a channel: how to frame a message and how to stop/resume reading.
class ChannelEnd {
 public:
  virtual void sendMessage(std::string_view message) = 0;
  virtual void pauseReading() = 0;
  virtual void resumeReading() = 0;
  virtual void closeConnection() = 0;

 protected:
  ~ChannelEnd() = default;
};

class MessageChannel : public std::enable_shared_from_this<MessageChannel> {
 public:
  static constexpr size_t kDefaultBound = 64;
  explicit MessageChannel(size_t bound = kDefaultBound) : bound_(bound ? bound : 1) {}

  // --- for the coroutine ---
  // The next message: fired already if one is queued, else fires when one arrives. Fails with
  // ConnectionClosedError once the connection has ended and the queue is empty. One call may
  // be pending at a time (a second throws std::logic_error); cancelling it gives up the wait.
  Deferred<std::string> next();
  // Frames and writes `message`; throws ConnectionClosedError after the end.
  void send(std::string_view message);
  // Closes the connection after what was sent is written (loseConnection).
  void close();
  bool open() const { return end_ != nullptr; }
  size_t queued() const { return queue_.size(); }
  bool readingPaused() const { return paused_; }

  // --- for the protocol ---
  void attach(ChannelEnd& end) { end_ = &end; }
  void deliver(std::string_view message);
  void ended(const Reason& reason);

 private:
  size_t bound_;
  ChannelEnd* end_ = nullptr;  // null before connectionMade and after connectionLost
  std::deque<std::string> queue_;
  std::optional<Deferred<std::string>> waiting_;
  std::optional<Reason> endReason_;
  bool paused_ = false;
};

}  // namespace weft
