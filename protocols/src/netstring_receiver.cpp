#include "weft/protocols/netstring_receiver.hpp"

#include <charconv>
#include <limits>

namespace weft {

namespace {
// Twisted's _maxLengthSize(): ceil(log10(MAX_LENGTH)) + 1 digits, which is the number of
// digits of MAX_LENGTH - 1, plus one.
size_t maxLengthDigits(size_t maxLength) {
  size_t digits = 0;
  for (size_t v = maxLength > 0 ? maxLength - 1 : 0; v > 0; v /= 10) ++digits;
  return digits + 1;
}
}  // namespace

void NetstringReceiver::dataReceived(std::string_view data) {
  if (broken_) return;
  if (buffer_.busy()) {
    buffer_.queue(data);
    return;
  }
  detail::ReceiveBuffer::Scope scope(buffer_, data);
  while (!paused() && !broken_ && !buffer_.empty()) {
    if (transport && transport->disconnecting()) return;
    if (!readingPayload_) {
      const unsigned char c = buffer_.front();
      if (c >= '0' && c <= '9') {
        if (digits_ > 0 && length_ == 0) return fail("length has a leading zero");
        const size_t d = c - '0';
        if (length_ > (std::numeric_limits<size_t>::max() - d) / 10) {
          return fail("length is longer than maxLength");
        }
        length_ = length_ * 10 + d;
        ++digits_;
        if (digits_ > maxLengthDigits(maxLength) || length_ > maxLength) {
          return fail("length is longer than maxLength");
        }
        buffer_.skip(1);
        continue;
      }
      if (c == ':' && digits_ > 0) {
        buffer_.skip(1);
        readingPayload_ = true;
        continue;
      }
      return fail("netstring does not start with a length specification");
    }
    // The payload and its comma arrive together before anything is delivered.
    if (buffer_.size() <= length_) return;
    std::string_view framed = buffer_.take(length_ + 1);
    if (framed.back() != ',') return fail("netstring is not terminated by a comma");
    readingPayload_ = false;
    length_ = 0;
    digits_ = 0;
    stringReceived(framed.substr(0, framed.size() - 1));
    buffer_.absorbQueued();
  }
}

void NetstringReceiver::fail(std::string_view why) {
  broken_ = true;
  buffer_.skip(buffer_.size());
  netstringParseError(why);
}

void NetstringReceiver::netstringParseError(std::string_view) {
  if (transport) transport->loseConnection();
}

void NetstringReceiver::sendString(std::string_view string) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, string.size());
  (void)ec;  // 24 digits always suffice for a size_t
  if (transport) {
    transport->writeSequence(
        {std::string_view(digits, static_cast<size_t>(end - digits)), ":", string, ","});
  }
}

}  // namespace weft
