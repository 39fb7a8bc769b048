// The echo servers of `weft serve`, counting what the stop line reports (common/stop_report.hpp):
// the connections served and the messages handed to the protocol (bytes for raw echo). The
// protocols are weft's own (protocols/), each wrapped in a subclass that counts and then
// answers exactly as the original does.
#pragma once

#include <cstdint>
#include <memory>

#include "weft/protocol.hpp"
#include "weft/protocols/echo_servers.hpp"

namespace weft::harness {

struct ServeStats {
  uint64_t connections = 0;  // protocols built, one per connection served
  uint64_t messages = 0;     // delivered to the protocol (raw echo: bytes)
};

// `stats` must outlive the factory and its connections.
std::unique_ptr<Factory> makeCountingEchoFactory(const EchoServerOptions& options,
                                                 ServeStats& stats);

}  // namespace weft::harness
