#include "weft/protocols/line_only_receiver.hpp"

namespace weft {

void LineOnlyReceiver::dataReceived(std::string_view data) {
  // A long line continuing in a small chunk: inline and call-free (see LineReceiver).
  if (!buffer_.busy() && buffer_.appendsInline(data.size())) {
    if (!splitter_.continueLine(buffer_, data)) {
      parse(data);
    } else if (storedTooLong()) {
      parse({});  // lineLengthExceeded, as parse() would have called it
    }
    return;
  }
  receive(data);
}

void LineOnlyReceiver::receive(std::string_view data) {
  if (buffer_.busy()) {
    buffer_.queue(data);
    return;
  }
  if (!splitter_.continueLine(buffer_, data)) {
    parse(data);
  } else if (storedTooLong()) {
    parse({});
  }
}

void LineOnlyReceiver::parse(std::string_view data) {
  const size_t dl = splitter_.delimiter().size();
  detail::ReceiveBuffer::Scope scope(buffer_, data);
  while (!buffer_.empty()) {
    if (transport && transport->disconnecting()) return;
    size_t length = splitter_.findLineEnd(buffer_);
    if (length == detail::LineSplitter::npos) {
      // The length of the delimiter this call started with, as for the lines above.
      if (detail::unterminatedTooLong(buffer_.size(), maxLength, dl)) {
        lineLengthExceeded(buffer_.takeAll());
      }
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
