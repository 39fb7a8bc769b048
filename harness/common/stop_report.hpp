// The line `weft serve` writes on stderr when it is asked to stop, before it drains its
// connections:
//   weft serve: stopping the epoll reactor: 5123 messages read on 1 connections
// ("bytes read" for the echo protocol, which has no messages). The messages are those handed to
// the echo protocol, so each one's reply was queued by then and must reach the peer; the
// connections are those the server accepted and served (refused ones, such as select's
// FdTooLarge, are not counted). `weft check` judges stoppend and conc1000 by it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::harness {

struct StopReport {
  std::string reactor;
  uint64_t messages = 0;  // bytes for the echo protocol
  uint64_t connections = 0;
};

std::string formatStopReport(const StopReport& r, bool bytes);
// The last stop line in `text` (a server's stderr), or nullopt.
std::optional<StopReport> findStopReport(std::string_view text);
// The same, read from the file at `path`.
std::optional<StopReport> readStopReport(const std::string& path);

}  // namespace weft::harness
