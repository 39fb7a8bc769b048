// The matrix's columns, in display order.
#include "check/scenario.hpp"

namespace weft::harness {

namespace {

bool any(Wire) {
  return true;
}
bool framed(Wire w) {
  return w != Wire::Echo;
}
std::vector<std::string> none(Wire) {
  return {};
}

}  // namespace

constexpr long kHuge = 16 * 1024 * 1024;
constexpr long kSmallLimit = 100;

const std::vector<ScenarioDef>& scenarios() {
  static const std::vector<ScenarioDef> table = {
      {"bytewise", "byte-at-a-time delivery", any, none, true, false, byteAtATime},
      {"coalesced", "1000 messages coalesced in one write", any, none, true, false, coalesced},
      {"16MiB", "a 16 MiB message (raised max length)", any,
       [](Wire) {
         return std::vector<std::string>{"--max-length", std::to_string(kHuge + 64)};
       },
       true, false, hugeMessage},
      {"maxlen", "max-length violation closes only that connection", framed,
       [](Wire) {
         return std::vector<std::string>{"--max-length", std::to_string(kSmallLimit)};
       },
       true, false, maxLengthViolation},
      {"longline", "line too long without a delimiter", [](Wire w) { return w == Wire::Line; },
       [](Wire) {
         return std::vector<std::string>{"--max-length", std::to_string(kSmallLimit)};
       },
       true, false, lineTooLong},
      {"badnetstr", "malformed netstring closes only that connection",
       [](Wire w) { return w == Wire::Netstring; }, none, true, false, malformedNetstring},
      {"halfclose", "client half-close: replies flushed, then close", any, none, true, false,
       halfClose},
      {"rst", "client RST mid-message; server keeps serving", any, none, true, false,
       resetMidMessage},
      // conc1000 stops the server itself: its stop line says how many connections it served.
      {"conc1000", "1100 concurrent connections (select: FdTooLarge beyond FD_SETSIZE)", any, none,
       true, true, manyConnections},
      {"slowread", "slow reader: 64 MiB unread, server RSS growth < 16 MiB", any, none, true, false,
       slowReader},
      {"refused", "connection refused is reported as ConnectionRefused", any, none, false, false,
       connectionRefused},
      {"stoppend", "server stop with replies pending delivers them", any, none, true, true,
       stopWithPending},
  };
  return table;
}

const ScenarioDef* findScenario(const std::string& id) {
  for (const auto& s : scenarios()) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

}  // namespace weft::harness
