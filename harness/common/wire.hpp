// The framings the harness speaks on the wire, independent of weft's protocol classes so the
// load generator and the check clients do not trust the code under test to frame messages.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace weft::harness {

enum class Wire { Echo, LenPrefix, Line, Netstring };

std::optional<Wire> parseWire(std::string_view name);
std::string_view wireName(Wire w);

// One framed message: lenprefix = 4-byte little-endian length + payload, line = payload +
// delimiter, netstring = "LEN:payload,", echo = the payload itself.
std::string frame(Wire w, std::string_view payload, std::string_view delimiter = "\n");
void appendFrame(std::string& out, Wire w, std::string_view payload,
                 std::string_view delimiter = "\n");

// Splits complete frames off the front of a stream (the client side of a reply stream).
class FrameSplitter {
 public:
  explicit FrameSplitter(Wire w, std::string delimiter = "\n")
      : wire_(w), delim_(std::move(delimiter)) {}
  void feed(std::string_view data) { buf_.append(data); }
  // The next complete payload, or nullopt. Echo has no frames: every call returns what is
  // buffered. A malformed stream returns nullopt and sets error().
  std::optional<std::string> next();
  bool error() const { return error_; }
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  Wire wire_;
  std::string delim_;
  std::string buf_;
  size_t pos_ = 0;
  bool error_ = false;
};

}  // namespace weft::harness
