// Delimiter search over a ReceiveBuffer that resumes where the previous search stopped, so a
// long line arriving in many small chunks is scanned once (Twisted #6356/#6357 re-scan it).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "weft/protocols/copy_scan.hpp"
#include "weft/protocols/receive_buffer.hpp"

namespace weft::detail {

// Twisted's rule for a line still without its delimiter: too long only at maxLength +
// delimiter.size() bytes, so a partial delimiter after a maximal line is not mistaken for an
// over-long line (#3353 / #6556).
inline bool unterminatedTooLong(size_t buffered, size_t maxLength, size_t delimiterLength) {
  return buffered >= delimiterLength && buffered - delimiterLength >= maxLength;
}

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

  // The path taken by every chunk of a long line, kept to a few inline checks plus one pass
  // over the chunk. Call it outside ReceiveBuffer::Scope. When no stored byte can start a
  // delimiter (so no line is complete) and `data` holds no first byte of one, appends `data`
  // and returns true. Otherwise does nothing and returns false: the caller goes the usual way,
  // exactly as without this path. Always inlined: it is the receivers' fast path.
  [[gnu::always_inline]] bool continueLine(ReceiveBuffer& buffer, std::string_view data) {
    const size_t stored = buffer.storedSize();
    if (stored == 0 || searchedTo_ != buffer.consumed() + stored) return false;
    if (!buffer.appendUnlessContains(data, first_)) return false;
    searchedTo_ += data.size();  // none of them is first_; this counts them as scanned too
    return true;
  }

  uint64_t scanned() const { return scannedBase_ + searchedTo_; }

 private:
  // First delimiter starting at or after `from`. Inline: it runs once per line.
  size_t find(std::string_view hay, size_t from) {
    const size_t dl = delimiter_.size();
    if (hay.size() < dl || from > hay.size() - dl) return npos;
    const char* base = hay.data();
    const char* p = base + from;
    const char* last = base + hay.size() - dl + 1;  // one past the last possible start
    while (p < last) {
      p = static_cast<const char*>(std::memchr(p, first_.byte, static_cast<size_t>(last - p)));
      if (!p) break;
      if (dl == 1 || (p[1] == second_ &&
                      (dl == 2 || std::memcmp(p + 2, delimiter_.data() + 2, dl - 2) == 0))) {
        scannedBase_ += static_cast<size_t>(p - base) + dl - from;
        return static_cast<size_t>(p - base);
      }
      ++p;
    }
    scannedBase_ += hay.size() - from;
    return npos;
  }
  size_t findLineEndSlow(ReceiveBuffer& buffer);
  bool straddles(std::string_view stored, size_t start, std::string_view input) const;
  void markSearched(const ReceiveBuffer& buffer);
  void setSearchedTo(uint64_t to) {
    scannedBase_ -= to - searchedTo_;  // modulo 2^64, exact
    searchedTo_ = to;
  }

  std::string delimiter_;
  StopByte first_;   // delimiter_[0]
  char second_ = 0;  // delimiter_[1] when there is one
  // Stream position (ReceiveBuffer::consumed() based) before which no delimiter starts. It is
  // exact at the end of the stored bytes (see markSearched), so that continueLine applies
  // whenever the stored bytes end with no partial delimiter.
  uint64_t searchedTo_ = 0;
  // scanned() is scannedBase_ + searchedTo_, so that continueLine, which advances both by the
  // same amount, updates one counter; setSearchedTo keeps scanned() for other moves.
  uint64_t scannedBase_ = 0;
};

}  // namespace weft::detail
