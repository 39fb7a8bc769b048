// Twisted's _PauseableMixin: a receiver that is also a PushProducer, so it can be registered
// with its transport (or pause itself) and hold complete messages while paused.
#pragma once

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

  bool paused() const { return paused_; }

 protected:
  bool paused_ = false;
};

}  // namespace weft
