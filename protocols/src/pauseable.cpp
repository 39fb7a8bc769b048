#include "weft/protocols/pauseable.hpp"

namespace weft {

void PauseableProtocol::pauseProducing() {
  paused_ = true;
  if (transport) transport->pauseProducing();
}

void PauseableProtocol::resumeProducing() {
  paused_ = false;
  if (transport) transport->resumeProducing();
  dataReceived({});
}

void PauseableProtocol::stopProducing() {
  paused_ = true;
  if (transport) transport->stopProducing();
}

}  // namespace weft
