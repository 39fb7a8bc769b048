#include "weft/protocols/line_only_receiver.hpp"

namespace weft {

void LineOnlyReceiver::dataReceived(std::string_view data) {
  if (buffer_.busy()) {
    buffer_.queue(data);
    return;
  }
  detail::ReceiveBuffer::Scope scope(buffer_, data);
  const size_t dl = splitter_.delimiter().size();
  while (!buffer_.empty()) {
    if (transport && transport->disconnecting()) return;
    size_t length = splitter_.findLineEnd(buffer_);
    if (length == detail::LineSplitter::npos) {
      size_t buffered = buffer_.size();
      // Same rule as LineReceiver (#3353): a partial delimiter is not part of the line.
      if (buffered >= dl && buffered - dl >= maxLength) lineLengthExceeded(buffer_.takeAll());
      return;
    }
    if (length > maxLength) {
      lineLengthExceeded(buffer_.takeAll());  // the whole remainder (#6558)
      return;
    }
    lineReceived(buffer_.take(length + dl).substr(0, length));
    buffer_.absorbQueued();
  }
}

void LineOnlyReceiver::lineLengthExceeded(std::string_view) {
  if (transport) transport->loseConnection();
}

void LineOnlyReceiver::sendLine(std::string_view line) {
  if (transport) transport->writeSequence({line, splitter_.delimiter()});
}

}  // namespace weft
