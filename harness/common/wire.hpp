// The framings the harness speaks on the wire, independent of weft's protocol classes so the
// load generator and the check clients do not trust the code under test to frame messages.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace weft::harness {

enum class Wire { Echo, LenPrefix, Line, Netstring };

// Every framing, in table order: the one list the command lines' choices and help texts, and
// `weft check --protocol all`, come from.
inline constexpr std::array kAllWires{Wire::Echo, Wire::LenPrefix, Wire::Line, Wire::Netstring};
// The framings `weft bench` measures: those the reference servers speak too.
inline constexpr std::array kBenchWires{Wire::Echo, Wire::LenPrefix, Wire::Line};

std::optional<Wire> parseWire(std::string_view name);
std::string_view wireName(Wire w);
// The names of `wires`, in order ("echo", "lenprefix", ...), and joined by `sep`.
std::vector<std::string> wireNames(std::span<const Wire> wires = kAllWires);
std::string joinedWireNames(std::string_view sep, std::span<const Wire> wires = kAllWires);

// How a protocol is framed: the prefix (lenprefix) and delimiter (line) details.
struct WireFormat {
  Wire wire = Wire::Echo;
  unsigned prefixBytes = 4;      // 1, 2 or 4
  bool prefixBigEndian = false;  // the seed applications use little-endian
  std::string delimiter = "\n";
};
// "u8", "u16be", "u16le", "u32be", "u32le" into `f`; false if unknown.
bool parsePrefix(std::string_view name, WireFormat& f);
// "crlf" or "lf"; false if unknown.
bool parseDelimiter(std::string_view name, WireFormat& f);

// One framed message: lenprefix = length prefix + payload, line = payload + delimiter,
// netstring = "LEN:payload,", echo = the payload itself.
std::string frame(const WireFormat& f, std::string_view payload);
void appendFrame(std::string& out, const WireFormat& f, std::string_view payload);

// Splits complete frames off the front of a stream (the client side of a reply stream).
class FrameSplitter {
 public:
  explicit FrameSplitter(WireFormat f) : f_(std::move(f)) {}
  void feed(std::string_view data) { buf_.append(data); }
  // The next complete payload, or nullopt. Echo has no frames: every call returns what is
  // buffered. A malformed stream returns nullopt and sets error().
  std::optional<std::string> next();
  bool error() const { return error_; }
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  WireFormat f_;
  std::string buf_;
  size_t pos_ = 0;
  bool error_ = false;
};

}  // namespace weft::harness
