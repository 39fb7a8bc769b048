// LineReceiver: Twisted's basic.LineReceiver (line mode, raw mode, pausing, re-entrancy), with
// linear-time buffering.
//
// Semantics kept from Twisted (docs/twisted-semantics.md §1.1):
// - A line of exactly maxLength is accepted; a complete line longer than maxLength passes
//   line + delimiter + everything still buffered to lineLengthExceeded; an unterminated
//   buffer passes to it once it holds maxLength + delimiter.size() bytes. Either way the
//   buffer is emptied and the current dataReceived returns.
// - A delimiter split across chunks never makes a line of exactly maxLength fail (#6556).
// - dataReceived called from inside a callback (and setLineMode(extra) there) only queues the
//   bytes after everything already buffered; the outer call delivers them, iteratively, so
//   switching modes many times never recurses (#3050).
// - setRawMode() takes effect at once: the rest of the buffer goes to rawDataReceived.
// - While paused, bytes are buffered and nothing is delivered or length-checked;
//   resumeProducing() delivers what is buffered synchronously.
//
// Differences from Twisted, on purpose:
// - Buffering is linear: no copy of the whole buffer per line or per chunk, and the delimiter
//   search resumes where it stopped (Twisted #6356/#6357 are quadratic).
// - Callbacks return void, so Twisted's "a truthy return value stops the loop" is gone; call
//   pauseProducing() or loseConnection() from the callback instead.
// - Nothing (line or raw data) is delivered while transport->disconnecting(); Twisted checks
//   only after each line, and never in raw mode.
//
// The views passed to callbacks are valid until the callback returns.
#pragma once

#include <string>
#include <string_view>

#include "weft/protocols/line_splitter.hpp"
#include "weft/protocols/pauseable.hpp"
#include "weft/protocols/receive_buffer.hpp"

namespace weft {

class LineReceiver : public PauseableProtocol {
 public:
  static constexpr size_t kDefaultMaxLength = 16384;

  LineReceiver() : LineReceiver("\r\n") {}
  explicit LineReceiver(std::string_view delimiter, size_t maxLineLength = kDefaultMaxLength)
      : maxLength(maxLineLength), splitter_(delimiter) {}

  void dataReceived(std::string_view data) override;

  // A complete line, without its delimiter.
  virtual void lineReceived(std::string_view line) = 0;
  // Raw-mode data. Twisted raises NotImplementedError; weft throws Error(Internal).
  virtual void rawDataReceived(std::string_view data);
  // The default drops the connection (loseConnection).
  virtual void lineLengthExceeded(std::string_view line);

  // Writes line + delimiter as one writeSequence, so Nagle never splits them.
  void sendLine(std::string_view line);

  void setRawMode() { holds_ |= kRawMode; }
  // Back to line mode; `extra` is fed through dataReceived. From inside a callback it is
  // queued after what is still buffered (Twisted's documented caveat).
  void setLineMode(std::string_view extra = {});
  bool lineMode() const { return !(holds_ & kRawMode); }

  // Returns and discards everything buffered (also from inside lineReceived).
  std::string clearLineBuffer() { return buffer_.release(); }

  // Throws Error(InvalidArgument) for an empty delimiter.
  void setDelimiter(std::string_view delimiter) { splitter_.setDelimiter(delimiter); }
  std::string_view delimiter() const { return splitter_.delimiter(); }

  ReceiveStats stats() const { return {buffer_.copied(), splitter_.scanned(), buffer_.size()}; }

  size_t maxLength = kDefaultMaxLength;  // Twisted's MAX_LENGTH

 private:
  // dataReceived minus its inline fast path for a line that continues in a small chunk.
  void receive(std::string_view data);
  // The general path, when not busy: every line, raw data and length check.
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

  // In holds_: raw mode holds line delivery; kParsing is set while parse() runs.
  static constexpr uint8_t kRawMode = 2, kParsing = 4;
  detail::ReceiveBuffer buffer_;
  detail::LineSplitter splitter_;
};

}  // namespace weft
