#include "weft/protocols/line_splitter.hpp"

#include "weft/errors.hpp"

namespace weft::detail {

LineSplitter::LineSplitter(std::string_view delimiter) {
  setDelimiter(delimiter);
}

void LineSplitter::setDelimiter(std::string_view delimiter) {
  if (delimiter.empty()) throw Error(ErrorKind::InvalidArgument, "line delimiter is empty");
  delimiter_.assign(delimiter);
  first_ = StopByte(delimiter_[0]);
  second_ = delimiter_.size() > 1 ? delimiter_[1] : 0;
  setSearchedTo(0);  // earlier scans looked for another delimiter
}

void LineSplitter::markSearched(const ReceiveBuffer& buffer) {
  // Everything is stored and scanned. A delimiter may still start in the last dl-1 bytes once
  // more bytes arrive, but only where they are a prefix of it: the first such position, or
  // the end (checking costs at most dl-1 short compares, and lets continueLine take over).
  const std::string_view stored = buffer.stored();
  const size_t keep = delimiter_.size() - 1;
  size_t s = stored.size() > keep ? stored.size() - keep : 0;
  for (; s < stored.size(); ++s) {
    if (stored[s] == first_.byte &&
        std::memcmp(stored.data() + s, delimiter_.data(), stored.size() - s) == 0) {
      break;
    }
  }
  setSearchedTo(buffer.consumed() + s);
}

// Whether a delimiter starts at stored[start] and ends in the input.
bool LineSplitter::straddles(std::string_view stored, size_t start, std::string_view input) const {
  const size_t inStored = stored.size() - start;
  for (size_t i = 0; i < delimiter_.size(); ++i) {
    char c = i < inStored ? stored[start + i] : input[i - inStored];
    if (c != delimiter_[i]) return false;
  }
  return true;
}

size_t LineSplitter::findLineEndSlow(ReceiveBuffer& buffer) {
  const size_t dl = delimiter_.size();
  std::string_view stored = buffer.stored();
  if (stored.empty()) {
    // The inline fast path found nothing in the input: keep it for the next call.
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
  for (size_t s = from; s < stored.size(); ++s) {
    if (stored[s] == first_.byte && straddles(stored, s, input)) return s;
  }
  at = find(input, 0);
  if (at != npos) return stored.size() + at;
  buffer.spill();
  markSearched(buffer);
  return npos;
}

}  // namespace weft::detail
