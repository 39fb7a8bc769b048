// LineOnlyReceiver: Twisted's basic.LineOnlyReceiver, lines only (no raw mode, no pausing).
//
// It shares LineReceiver's buffering and length rules, which fixes three Twisted bugs:
// - #3353 / #6556: Twisted's LineOnlyReceiver rejects an unterminated buffer as soon as it
//   exceeds MAX_LENGTH, so a line of exactly MAX_LENGTH whose delimiter is split across
//   chunks ("xxxx\r" then "\n") is dropped. weft waits for maxLength + delimiter bytes, as
//   LineReceiver does, and delivers that line.
// - #6558: Twisted passes only the over-long line to lineLengthExceeded; weft passes
//   line + delimiter + everything still buffered, as LineReceiver does, and empties the buffer.
// - #6356: Twisted re-splits (buffer + data) on every chunk; weft's buffering is linear.
// It also guards against re-entrancy as LineReceiver does (Twisted's LineOnlyReceiver would
// reorder lines) and delivers nothing while transport->disconnecting().
#pragma once

#include <string_view>

#include "weft/protocol.hpp"
#include "weft/protocols/line_splitter.hpp"
#include "weft/protocols/receive_buffer.hpp"

namespace weft {

class LineOnlyReceiver : public Protocol {
 public:
  static constexpr size_t kDefaultMaxLength = 16384;

  LineOnlyReceiver() : LineOnlyReceiver("\r\n") {}
  explicit LineOnlyReceiver(std::string_view delimiter, size_t maxLineLength = kDefaultMaxLength)
      : maxLength(maxLineLength), splitter_(delimiter) {}

  void dataReceived(std::string_view data) override;

  virtual void lineReceived(std::string_view line) = 0;
  // The default drops the connection (loseConnection).
  virtual void lineLengthExceeded(std::string_view line);

  // Writes line + delimiter as one writeSequence.
  void sendLine(std::string_view line);

  void setDelimiter(std::string_view delimiter) { splitter_.setDelimiter(delimiter); }
  std::string_view delimiter() const { return splitter_.delimiter(); }

  ReceiveStats stats() const { return {buffer_.copied(), splitter_.scanned(), buffer_.size()}; }

  size_t maxLength = kDefaultMaxLength;

 private:
  // dataReceived minus its inline fast path for a line that continues in a small chunk.
  void receive(std::string_view data);
  // The general path, when not busy: every line and length check.
  void parse(std::string_view data);
  bool unterminatedTooLong() const {
    return detail::unterminatedTooLong(buffer_.size(), maxLength, splitter_.delimiter().size());
  }
  // The same after continueLine appended a chunk: outside a Scope every pending byte is stored,
  // so the fast path need not add the (empty) input to the count.
  bool storedTooLong() const {
    return detail::unterminatedTooLong(buffer_.storedSize(), maxLength,
                                       splitter_.delimiter().size());
  }

  detail::ReceiveBuffer buffer_;
  detail::LineSplitter splitter_;
};

}  // namespace weft
