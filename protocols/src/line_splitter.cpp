#include "weft/protocols/line_splitter.hpp"

#include <cstring>

#include "weft/errors.hpp"

namespace weft::detail {

LineSplitter::LineSplitter(std::string_view delimiter) {
  setDelimiter(delimiter);
}

void LineSplitter::setDelimiter(std::string_view delimiter) {
  if (delimiter.empty()) throw Error(ErrorKind::InvalidArgument, "line delimiter is empty");
  delimiter_.assign(delimiter);
  searchedTo_ = 0;  // earlier scans looked for another delimiter
}

size_t LineSplitter::find(std::string_view hay, size_t from) const {
  const size_t dl = delimiter_.size();
  if (dl == 1) {
    if (from >= hay.size()) return npos;
    const void* p = std::memchr(hay.data() + from, delimiter_[0], hay.size() - from);
    size_t at = p ? static_cast<size_t>(static_cast<const char*>(p) - hay.data()) : npos;
    scanned_ += (p ? at + 1 : hay.size()) - from;
    return at;
  }
  const size_t start = from;
  while (from + dl <= hay.size()) {
    const void* p = std::memchr(hay.data() + from, delimiter_[0], hay.size() - dl + 1 - from);
    if (!p) break;
    size_t at = static_cast<size_t>(static_cast<const char*>(p) - hay.data());
    if (std::memcmp(hay.data() + at + 1, delimiter_.data() + 1, dl - 1) == 0) {
      scanned_ += at + dl - start;
      return at;
    }
    from = at + 1;
  }
  if (hay.size() > start) scanned_ += hay.size() - start;
  return npos;
}

void LineSplitter::markSearched(const ReceiveBuffer& buffer) {
  // A delimiter may still start in the last dl-1 bytes once more bytes arrive.
  const size_t keep = delimiter_.size() - 1;
  const size_t size = buffer.size();
  searchedTo_ = buffer.consumed() + (size > keep ? size - keep : 0);
}

size_t LineSplitter::findLineEnd(ReceiveBuffer& buffer) {
  const size_t dl = delimiter_.size();
  std::string_view stored = buffer.stored();
  if (stored.empty()) {
    // The common case: parse straight out of the caller's data, no copy.
    size_t at = find(buffer.input(), 0);
    if (at != npos) return at;
    buffer.spill();
    markSearched(buffer);
    return npos;
  }

  size_t from = 0;
  if (searchedTo_ > buffer.consumed()) {
    from = static_cast<size_t>(searchedTo_ - buffer.consumed());
    if (from > stored.size()) from = stored.size();
  }
  size_t at = find(stored, from);
  if (at != npos) return at;

  std::string_view input = buffer.input();
  if (input.empty()) {
    markSearched(buffer);
    return npos;
  }
  if (from + (dl - 1) < stored.size()) from = stored.size() - (dl - 1);
  if (input.size() < dl - 1) {
    // Too few new bytes to tell whether a split delimiter completes: just append them.
    buffer.spill();
    at = find(buffer.stored(), from);
    if (at != npos) return at;
    markSearched(buffer);
    return npos;
  }
  // A delimiter that starts in the stored tail and ends in the input.
  std::string_view delim = delimiter_;
  for (size_t s = from; s < stored.size(); ++s) {
    size_t inStored = stored.size() - s;
    if (stored.substr(s) == delim.substr(0, inStored) &&
        input.substr(0, dl - inStored) == delim.substr(inStored)) {
      return s;
    }
  }
  at = find(input, 0);
  if (at != npos) return stored.size() + at;
  buffer.spill();
  markSearched(buffer);
  return npos;
}

}  // namespace weft::detail
