#include "wire.hpp"

#include <cstdint>
#include <cstring>

namespace weft::harness {

std::optional<Wire> parseWire(std::string_view n) {
  for (Wire w : kAllWires)
    if (n == wireName(w)) return w;
  return std::nullopt;
}

std::vector<std::string> wireNames(std::span<const Wire> wires) {
  std::vector<std::string> names;
  for (Wire w : wires) names.emplace_back(wireName(w));
  return names;
}

std::string joinedWireNames(std::string_view sep, std::span<const Wire> wires) {
  std::string out;
  for (Wire w : wires) {
    if (!out.empty()) out += sep;
    out += wireName(w);
  }
  return out;
}

std::string_view wireName(Wire w) {
  switch (w) {
    case Wire::Echo:
      return "echo";
    case Wire::LenPrefix:
      return "lenprefix";
    case Wire::Line:
      return "line";
    case Wire::Netstring:
      return "netstring";
  }
  return "?";
}

bool parsePrefix(std::string_view n, WireFormat& f) {
  if (n == "u8") {
    f.prefixBytes = 1;
  } else if (n == "u16be" || n == "u16le") {
    f.prefixBytes = 2;
  } else if (n == "u32be" || n == "u32le") {
    f.prefixBytes = 4;
  } else {
    return false;
  }
  f.prefixBigEndian = n.ends_with("be");
  return true;
}

bool parseDelimiter(std::string_view n, WireFormat& f) {
  if (n == "crlf") {
    f.delimiter = "\r\n";
  } else if (n == "lf") {
    f.delimiter = "\n";
  } else {
    return false;
  }
  return true;
}

void appendFrame(std::string& out, const WireFormat& f, std::string_view payload) {
  switch (f.wire) {
    case Wire::Echo:
      out.append(payload);
      return;
    case Wire::LenPrefix: {
      uint64_t n = payload.size();
      for (unsigned i = 0; i < f.prefixBytes; ++i) {
        unsigned shift = 8 * (f.prefixBigEndian ? f.prefixBytes - 1 - i : i);
        out.push_back(static_cast<char>(n >> shift & 0xff));
      }
      out.append(payload);
      return;
    }
    case Wire::Line:
      out.append(payload);
      out.append(f.delimiter);
      return;
    case Wire::Netstring:
      out.append(std::to_string(payload.size()));
      out.push_back(':');
      out.append(payload);
      out.push_back(',');
      return;
  }
}

std::string frame(const WireFormat& f, std::string_view payload) {
  std::string s;
  appendFrame(s, f, payload);
  return s;
}

std::optional<std::string> FrameSplitter::next() {
  if (error_) return std::nullopt;
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  std::optional<std::string> out;
  switch (f_.wire) {
    case Wire::Echo:
      if (!rest.empty()) {
        out.emplace(rest);
        pos_ = buf_.size();
      }
      break;
    case Wire::LenPrefix:
      if (rest.size() >= 4) {
        const auto* p = reinterpret_cast<const unsigned char*>(rest.data());
        uint64_t n =
            uint64_t(p[0]) | uint64_t(p[1]) << 8 | uint64_t(p[2]) << 16 | uint64_t(p[3]) << 24;
        if (rest.size() - 4 >= n) {
          out.emplace(rest.substr(4, n));
          pos_ += 4 + n;
        }
      }
      break;
    case Wire::Line: {
      size_t at = rest.find(f_.delimiter);
      if (at != std::string_view::npos) {
        out.emplace(rest.substr(0, at));
        pos_ += at + f_.delimiter.size();
      }
      break;
    }
    case Wire::Netstring: {
      size_t colon = rest.find(':');
      if (colon == std::string_view::npos) {
        if (rest.size() > 20) error_ = true;
        break;
      }
      uint64_t n = 0;
      if (colon == 0 || colon > 19) {
        error_ = true;
        break;
      }
      for (size_t i = 0; i < colon; ++i) {
        if (rest[i] < '0' || rest[i] > '9') {
          error_ = true;
          return std::nullopt;
        }
        n = n * 10 + uint64_t(rest[i] - '0');
      }
      if (rest.size() - colon - 1 < n + 1) break;
      if (rest[colon + 1 + n] != ',') {
        error_ = true;
        break;
      }
      out.emplace(rest.substr(colon + 1, n));
      pos_ += colon + 2 + n;
      break;
    }
  }
  // Compact once the consumed prefix dominates, keeping appends amortised linear.
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return out;
}

}  // namespace weft::harness
