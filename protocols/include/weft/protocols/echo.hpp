// Echo: Twisted's protocols.wire.Echo, every byte written straight back.
#pragma once

#include <string_view>

#include "weft/protocol.hpp"

namespace weft {

class Echo : public Protocol {
 public:
  void dataReceived(std::string_view data) override {
    if (transport) transport->write(data);
  }
};

}  // namespace weft
