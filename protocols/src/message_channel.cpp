#include "weft/protocols/message_channel.hpp"

#include <utility>

#include "weft/deferred_helpers.hpp"

namespace weft {

Deferred<std::string> MessageChannel::next() {
  if (waiting_) throw std::logic_error("MessageChannel::next() while another next() is pending");
  if (!queue_.empty()) {
    std::string m = std::move(queue_.front());
    queue_.pop_front();
    // Drained to half: read again. resumeReading may deliver held messages right here; they
    // queue behind (nobody is waiting), so order is kept.
    if (paused_ && end_ && queue_.size() <= bound_ / 2) {
      paused_ = false;
      end_->resumeReading();
    }
    return succeed(std::move(m));
  }
  if (endReason_) return fail<std::string>(Failure(ConnectionClosedError(*endReason_)));
  // Giving up the wait (cancel, a timeout) leaves later messages in the queue.
  std::weak_ptr<MessageChannel> weak = weak_from_this();
  Deferred<std::string> d([weak](Deferred<std::string>&) {
    if (auto self = weak.lock()) self->waiting_.reset();
  });
  waiting_.emplace(d);
  return d;
}

void MessageChannel::send(std::string_view message) {
  if (!end_)
    throw ConnectionClosedError(
        endReason_.value_or(Reason{ErrorKind::ConnectionDone, "not connected"}));
  end_->sendMessage(message);
}

void MessageChannel::close() {
  if (end_) end_->closeConnection();
}

void MessageChannel::deliver(std::string_view message) {
  if (waiting_) {
    Deferred<std::string> d = std::move(*waiting_);
    waiting_.reset();
    d.callback(std::string(message));  // may resume a coroutine, which may call next() again
    return;
  }
  queue_.emplace_back(message);
  if (!paused_ && end_ && queue_.size() >= bound_) {
    paused_ = true;
    end_->pauseReading();
  }
}

void MessageChannel::ended(const Reason& reason) {
  end_ = nullptr;
  endReason_ = reason;
  if (waiting_) {
    Deferred<std::string> d = std::move(*waiting_);
    waiting_.reset();
    d.errback(Failure(ConnectionClosedError(reason)));
  }
}

}  // namespace weft
