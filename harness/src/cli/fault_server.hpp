// `weft serve --fault NAME` (hidden): a deliberately broken echo server, so the tests can prove
// that `weft check` and weft-loadgen catch each defect by name (harness/README.md, "Fault
// modes"). It runs on the chosen reactor like the real server, but frames with the harness's
// own common/wire instead of weft's protocol classes, so each defect is exactly the one named:
//   corrupt         flips one payload byte in every 10,000 it echoes
//   drop-last       holds each reply back until the next one: the last is never sent
//   reorder         sends each connection's third reply before its second
//   close-after=N   closes each connection (cleanly) after N replies
//   stop-reading=N  stops reading each connection after N messages, for good
//   drop-conn=K     closes every K-th connection it accepts without a word
//   ignore-sigterm  ignores SIGTERM (and, on Windows, the stop request)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "cli/serve_stats.hpp"
#include "common/wire.hpp"
#include "weft/protocol.hpp"

namespace weft::harness {

struct Fault {
  enum class Kind {
    Corrupt,
    DropLast,
    Reorder,
    CloseAfter,
    StopReading,
    DropConnection,
    IgnoreSigterm
  };
  Kind kind = Kind::Corrupt;
  uint64_t n = 0;  // close-after, stop-reading, drop-conn
};

// nullopt for an unknown name or a missing/zero N.
std::optional<Fault> parseFault(std::string_view spec);

// `stats` counts as the real server does (messages parsed, connections accepted), so the stop
// line reports what a correct server would owe.
std::unique_ptr<Factory> makeFaultyEchoFactory(const WireFormat& wire, const Fault& fault,
                                               ServeStats& stats);

}  // namespace weft::harness
