#include "weft/protocols/int_n_string_receiver.hpp"

#include <algorithm>

namespace weft {

void IntNStringReceiver::dataReceived(std::string_view data) {
  if (buffer_.busy()) {
    buffer_.queue(data);
    return;
  }
  detail::ReceiveBuffer::Scope scope(buffer_, data);
  switch (format_) {
    case PrefixFormat::U8:
      return parse<PrefixFormat::U8>();
    case PrefixFormat::U16BE:
      return parse<PrefixFormat::U16BE>();
    case PrefixFormat::U16LE:
      return parse<PrefixFormat::U16LE>();
    case PrefixFormat::U32BE:
      return parse<PrefixFormat::U32BE>();
    case PrefixFormat::U32LE:
      return parse<PrefixFormat::U32LE>();
  }
}

template <PrefixFormat Format>
void IntNStringReceiver::parse() {
  constexpr size_t prefixBytes = weft::prefixLength(Format);
  while (!paused() && !buffer_.empty()) {
    if (skipping_ > 0) {
      auto n = static_cast<size_t>(std::min<uint64_t>(skipping_, buffer_.size()));
      buffer_.skip(n);
      skipping_ -= n;
      continue;
    }
    if (transport && transport->disconnecting()) return;
    if (buffer_.size() < prefixBytes) return;
    char copy[prefixBytes];
    const char* prefix = buffer_.input().data();
    if (buffer_.storedSize() != 0) {
      buffer_.peek(prefixBytes, copy);
      prefix = copy;
    }
    const size_t length = decodePrefix(Format, prefix);
    if (length > maxLength) {
      buffer_.skip(prefixBytes);
      skipping_ = length;  // #8105: drop the payload, never re-deliver earlier strings
      lengthLimitExceeded(length);
      buffer_.absorbQueued();
      continue;
    }
    if (buffer_.size() - prefixBytes < length) return;
    buffer_.skip(prefixBytes);
    stringReceived(buffer_.take(length));
    buffer_.absorbQueued();
  }
}

void IntNStringReceiver::lengthLimitExceeded(size_t) {
  if (transport) transport->loseConnection();
}

void IntNStringReceiver::sendString(std::string_view string) {
  char prefix[4];
  encodePrefix(format_, string.size(), prefix);  // throws if it does not fit
  if (transport) transport->writeSequence({std::string_view(prefix, prefixLength()), string});
}

}  // namespace weft
