#include "weft/protocols/line_receiver.hpp"

#include "weft/errors.hpp"

namespace weft {

void LineReceiver::dataReceived(std::string_view data) {
  // A long line continuing in a small chunk: append it and return. With small chunks the
  // fixed cost per call was most of the time, so this path is inline and call-free (nor does
  // it pay parse()'s set-up and Scope); bigger chunks take the same path in receive().
  // It does what parse() would do with these bytes (deliver nothing, store them), even while
  // disconnecting; a chunk that may end the line goes to parse() untouched.
  // holds_ == 0: not paused, in line mode and not inside parse() (so the buffer is not busy).
  if (holds_ == 0 && buffer_.appendsInline(data.size())) {
    if (!splitter_.continueLine(buffer_, data)) {
      parse(data);
    } else if (storedTooLong()) {
      parse({});  // lineLengthExceeded, as parse() would have called it
    }
    return;
  }
  receive(data);
}

void LineReceiver::receive(std::string_view data) {
  if (buffer_.busy()) {
    buffer_.queue(data);
    return;
  }
  if (holds_ != 0 || !splitter_.continueLine(buffer_, data)) {
    parse(data);
  } else if (storedTooLong()) {
    parse({});
  }
}

void LineReceiver::parse(std::string_view data) {
  // kParsing mirrors the buffer's busy flag (parse is the only Scope), so that dataReceived's
  // fast path tests holds_ alone. Declared first: cleared after the Scope ends.
  struct Parsing {
    uint8_t& holds;
    explicit Parsing(uint8_t& h) : holds(h) { holds |= kParsing; }
    ~Parsing() { holds &= ~kParsing; }
  } parsing(holds_);
  detail::ReceiveBuffer::Scope scope(buffer_, data);
  while (!paused() && !buffer_.empty()) {
    if (transport && transport->disconnecting()) return;
    if (!lineMode()) {
      rawDataReceived(buffer_.takeAll());
      buffer_.absorbQueued();
      continue;
    }
    const size_t dl = splitter_.delimiter().size();  // lineReceived may change it
    size_t length = splitter_.findLineEnd(buffer_);
    if (length == detail::LineSplitter::npos) {
      if (unterminatedTooLong()) lineLengthExceeded(buffer_.takeAll());
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
  holds_ &= ~kRawMode;
  if (!extra.empty()) dataReceived(extra);
}

}  // namespace weft
