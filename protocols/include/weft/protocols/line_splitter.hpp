// Delimiter search over a ReceiveBuffer that resumes where the previous search stopped, so a
// long line arriving in many small chunks is scanned once (Twisted #6356/#6357 re-scan it).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "weft/protocols/receive_buffer.hpp"

namespace weft::detail {

class LineSplitter {
 public:
  static constexpr size_t npos = std::string_view::npos;

  explicit LineSplitter(std::string_view delimiter);

  // Throws Error(InvalidArgument) for an empty delimiter.
  void setDelimiter(std::string_view delimiter);
  std::string_view delimiter() const { return delimiter_; }

  // Length of the next complete line (excluding the delimiter) at the front of `buffer`, or
  // npos; in that case all pending bytes have been moved to storage and the scanned part is
  // remembered, so the next call only looks at new bytes.
  size_t findLineEnd(ReceiveBuffer& buffer) {
    if (buffer.storedSize() == 0) {
      // The common case: parse straight out of the caller's data, no copy.
      size_t at = find(buffer.input(), 0);
      if (at != npos) return at;
    }
    return findLineEndSlow(buffer);
  }

  uint64_t scanned() const { return scanned_; }

 private:
  // First delimiter starting at or after `from`. Inline: it runs once per line.
  size_t find(std::string_view hay, size_t from) {
    const size_t dl = delimiter_.size();
    if (hay.size() < dl || from > hay.size() - dl) return npos;
    const char* base = hay.data();
    const char* p = base + from;
    const char* last = base + hay.size() - dl + 1;  // one past the last possible start
    while (p < last) {
      p = static_cast<const char*>(std::memchr(p, first_, static_cast<size_t>(last - p)));
      if (!p) break;
      if (dl == 1 || (p[1] == second_ &&
                      (dl == 2 || std::memcmp(p + 2, delimiter_.data() + 2, dl - 2) == 0))) {
        scanned_ += static_cast<size_t>(p - base) + dl - from;
        return static_cast<size_t>(p - base);
      }
      ++p;
    }
    scanned_ += hay.size() - from;
    return npos;
  }
  size_t findLineEndSlow(ReceiveBuffer& buffer);
  bool straddles(std::string_view stored, size_t start, std::string_view input) const;
  void markSearched(const ReceiveBuffer& buffer);

  std::string delimiter_;
  char first_ = 0;   // delimiter_[0]
  char second_ = 0;  // delimiter_[1] when there is one
  // Stream position (ReceiveBuffer::consumed() based) before which no delimiter starts.
  uint64_t searchedTo_ = 0;
  uint64_t scanned_ = 0;
};

}  // namespace weft::detail
