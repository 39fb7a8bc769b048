// NetstringReceiver: Twisted's basic.NetstringReceiver ("<len>:<payload>,", djb's netstrings).
//
// Error rules kept from Twisted (docs/twisted-semantics.md §1.4): a length with a leading zero
// ("007:"), a non-digit where the length should be, a missing ':' or ',', a length over
// maxLength, or more digits than maxLength has (plus one) is a parse error: the connection is
// dropped (loseConnection) and brokenPeer() becomes true. Errors are detected as early as
// Twisted detects them (a partial length is checked before the ':' arrives), and the same way
// whatever the chunking, because the length is parsed byte by byte.
//
// Differences from Twisted, on purpose: after a parse error the rest of the stream is
// discarded (Twisted keeps re-parsing the bad bytes and calls loseConnection again on every
// chunk); like the other receivers it queues re-entrant dataReceived calls, can be paused
// (Twisted's cannot) and delivers nothing while transport->disconnecting(). Complete
// netstrings inside one chunk are delivered without a copy.
#pragma once

#include <string_view>

#include "weft/protocols/pauseable.hpp"
#include "weft/protocols/receive_buffer.hpp"

namespace weft {

class NetstringReceiver : public PauseableProtocol {
 public:
  static constexpr size_t kDefaultMaxLength = 99999;

  NetstringReceiver() = default;
  explicit NetstringReceiver(size_t maxStringLength) : maxLength(maxStringLength) {}

  void dataReceived(std::string_view data) override;

  virtual void stringReceived(std::string_view string) = 0;
  // Called once, on the first framing error; the default drops the connection.
  virtual void netstringParseError(std::string_view why);

  // Writes "<len>:<string>," as one writeSequence.
  void sendString(std::string_view string);

  bool brokenPeer() const { return broken_; }

  ReceiveStats stats() const { return {buffer_.copied(), 0, buffer_.size()}; }

  size_t maxLength = kDefaultMaxLength;  // Twisted's MAX_LENGTH

 private:
  void fail(std::string_view why);

  detail::ReceiveBuffer buffer_;
  bool readingPayload_ = false;
  bool broken_ = false;
  size_t length_ = 0;  // the length parsed so far
  size_t digits_ = 0;
};

}  // namespace weft
