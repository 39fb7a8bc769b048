// Twisted's _PauseableMixin: a receiver that is also a PushProducer, so it can be registered
// with its transport (or pause itself) and hold complete messages while paused.
#pragma once

#include <cstdint>

#include "weft/protocol.hpp"
#include "weft/transport.hpp"

namespace weft {

class PauseableProtocol : public Protocol, public PushProducer {
 public:
  // Stops delivery (complete messages stay buffered) and pauses reading from the transport.
  void pauseProducing() override;
  // Resumes reading and synchronously delivers what was buffered while paused, as Twisted
  // does with dataReceived(b"").
  void resumeProducing() override;
  // Stops delivery for good (until resumeProducing) and tells the transport to stop.
  void stopProducing() override;

  bool paused() const { return holds_ & kPaused; }

 protected:
  // Why delivery is held, one bit per reason: kPaused here, and a subclass may add its own
  // (LineReceiver's raw mode), so that its fast path tests a single byte for "none at all".
  static constexpr uint8_t kPaused = 1;
  void setPaused(bool on) { holds_ = on ? holds_ | kPaused : holds_ & ~kPaused; }
  uint8_t holds_ = 0;
};

}  // namespace weft
