#include "wire.hpp"

#include <cstdint>
#include <cstring>

namespace weft::harness {

std::optional<Wire> parseWire(std::string_view n) {
  if (n == "echo") return Wire::Echo;
  if (n == "lenprefix") return Wire::LenPrefix;
  if (n == "line") return Wire::Line;
  if (n == "netstring") return Wire::Netstring;
  return std::nullopt;
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

void appendFrame(std::string& out, Wire w, std::string_view payload, std::string_view delim) {
  switch (w) {
    case Wire::Echo:
      out.append(payload);
      return;
    case Wire::LenPrefix: {
      auto n = static_cast<uint32_t>(payload.size());
      char h[4] = {char(n & 0xff), char(n >> 8 & 0xff), char(n >> 16 & 0xff), char(n >> 24)};
      out.append(h, 4);
      out.append(payload);
      return;
    }
    case Wire::Line:
      out.append(payload);
      out.append(delim);
      return;
    case Wire::Netstring:
      out.append(std::to_string(payload.size()));
      out.push_back(':');
      out.append(payload);
      out.push_back(',');
      return;
  }
}

std::string frame(Wire w, std::string_view payload, std::string_view delim) {
  std::string s;
  appendFrame(s, w, payload, delim);
  return s;
}

std::optional<std::string> FrameSplitter::next() {
  if (error_) return std::nullopt;
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  std::optional<std::string> out;
  switch (wire_) {
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
      size_t at = rest.find(delim_);
      if (at != std::string_view::npos) {
        out.emplace(rest.substr(0, at));
        pos_ += at + delim_.size();
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
