#include "weft/protocols/line_receiver.hpp"

#include "weft/errors.hpp"

namespace weft {

namespace {
// Twisted: an unterminated buffer is too long at MAX_LENGTH + len(delimiter) bytes, so a
// partial delimiter after a maximal line is not mistaken for an over-long line.
bool unterminatedTooLong(size_t buffered, size_t maxLength, size_t delimiterLength) {
  return buffered >= delimiterLength && buffered - delimiterLength >= maxLength;
}
}  // namespace

void LineReceiver::dataReceived(std::string_view data) {
  if (buffer_.busy()) {
    buffer_.queue(data);
    return;
  }
  detail::ReceiveBuffer::Scope scope(buffer_, data);
  while (!paused_ && !buffer_.empty()) {
    if (transport && transport->disconnecting()) return;
    if (!lineMode_) {
      rawDataReceived(buffer_.takeAll());
      buffer_.absorbQueued();
      continue;
    }
    const size_t dl = splitter_.delimiter().size();
    size_t length = splitter_.findLineEnd(buffer_);
    if (length == detail::LineSplitter::npos) {
      if (unterminatedTooLong(buffer_.size(), maxLength, dl)) {
        lineLengthExceeded(buffer_.takeAll());
      }
      return;
    }
    if (length > maxLength) {
      lineLengthExceeded(buffer_.takeAll());
      return;
    }
    lineReceived(buffer_.take(length + dl).substr(0, length));
    buffer_.absorbQueued();
  }
}

void LineReceiver::rawDataReceived(std::string_view) {
  throw Error(ErrorKind::Internal, "LineReceiver::rawDataReceived is not implemented");
}

void LineReceiver::lineLengthExceeded(std::string_view) {
  if (transport) transport->loseConnection();
}

void LineReceiver::sendLine(std::string_view line) {
  if (transport) transport->writeSequence({line, splitter_.delimiter()});
}

void LineReceiver::setLineMode(std::string_view extra) {
  lineMode_ = true;
  if (!extra.empty()) dataReceived(extra);
}

}  // namespace weft
