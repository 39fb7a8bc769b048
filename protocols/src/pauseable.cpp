#include "weft/protocols/pauseable.hpp"

namespace weft {

void PauseableProtocol::pauseProducing() {
  setPaused(true);
  if (transport) transport->pauseProducing();
}

void PauseableProtocol::resumeProducing() {
  setPaused(false);
  if (transport) transport->resumeProducing();
  dataReceived({});
}

void PauseableProtocol::stopProducing() {
  setPaused(true);
  if (transport) transport->stopProducing();
}

}  // namespace weft
