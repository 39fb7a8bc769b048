// Delimiter search over a ReceiveBuffer that resumes where the previous search stopped, so a
// long line arriving in many small chunks is scanned once (Twisted #6356/#6357 re-scan it).
#pragma once

#include <cstdint>
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
  size_t findLineEnd(ReceiveBuffer& buffer);

  uint64_t scanned() const { return scanned_; }

 private:
  size_t find(std::string_view hay, size_t from) const;
  void markSearched(const ReceiveBuffer& buffer);

  std::string delimiter_;
  // Stream position (ReceiveBuffer::consumed() based) before which no delimiter starts.
  uint64_t searchedTo_ = 0;
  mutable uint64_t scanned_ = 0;
};

}  // namespace weft::detail
