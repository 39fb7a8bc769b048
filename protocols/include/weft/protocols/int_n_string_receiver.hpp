// IntNStringReceiver: Twisted's length-prefixed string protocol (Int8/16/32StringReceiver),
// for 1, 2 and 4-byte prefixes in either byte order.
//
// Semantics kept from Twisted (docs/twisted-semantics.md §1.3): the prefix counts payload bytes
// only; a prefix announcing more than maxLength calls lengthLimitExceeded(length) as soon as
// the prefix arrives (exactly maxLength is accepted); pausing holds complete strings and
// resumeProducing() delivers them synchronously; sendString refuses a string that does not
// fit the prefix (Twisted: 256 bytes for Int8 raises, 255 is fine).
//
// Differences from Twisted, on purpose:
// - #8105: when lengthLimitExceeded is overridden and does not disconnect, Twisted keeps the
//   whole chunk (already delivered strings included) and re-delivers it with the next chunk.
//   weft never re-delivers: the over-long payload is skipped as it arrives (never buffered,
//   so a 4 GiB prefix allocates nothing) and parsing resumes with the next prefix.
// - #6358: buffering is linear; only a string split across chunks is ever copied.
// - sendString throws weft::Error(InvalidArgument) instead of AssertionError, and writes
//   prefix and payload with one writeSequence (no copy of the payload).
// - Re-entrant dataReceived (from a callback) queues, as LineReceiver does; nothing is
//   delivered while transport->disconnecting(). The Python-only `recvd` hack is not copied.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>

#include "weft/protocols/framing.hpp"
#include "weft/protocols/pauseable.hpp"
#include "weft/protocols/receive_buffer.hpp"

namespace weft {

// The prefix format is chosen at run time (what the harness uses); the named aliases below
// fix it at compile time.
class IntNStringReceiver : public PauseableProtocol {
 public:
  static constexpr size_t kDefaultMaxLength = 99999;

  explicit IntNStringReceiver(PrefixFormat format, size_t maxStringLength = kDefaultMaxLength)
      : maxLength(maxStringLength), format_(format) {}

  void dataReceived(std::string_view data) override;

  virtual void stringReceived(std::string_view string) = 0;
  // Called with the announced length as soon as an over-long prefix arrives. The default
  // drops the connection; if an override keeps it, that payload is skipped.
  virtual void lengthLimitExceeded(size_t length);

  // Throws Error(InvalidArgument) if the string does not fit the prefix. Does not check
  // maxLength (the peer's limit is the peer's), as in Twisted.
  void sendString(std::string_view string);

  PrefixFormat prefixFormat() const { return format_; }
  size_t prefixLength() const { return weft::prefixLength(format_); }

  ReceiveStats stats() const { return {buffer_.copied(), 0, buffer_.size()}; }

  size_t maxLength = kDefaultMaxLength;  // Twisted's MAX_LENGTH

 private:
  // dataReceived's loop, one copy per format: the prefix's size and byte order are constants
  // there, not a switch per string.
  template <PrefixFormat Format>
  void parse();

  detail::ReceiveBuffer buffer_;
  PrefixFormat format_;
  uint64_t skipping_ = 0;  // payload bytes of an over-long string still to drop
};

constexpr PrefixFormat prefixFormatFor(unsigned bytes, std::endian order) {
  if (bytes == 1) return PrefixFormat::U8;
  if (bytes == 2) return order == std::endian::big ? PrefixFormat::U16BE : PrefixFormat::U16LE;
  return order == std::endian::big ? PrefixFormat::U32BE : PrefixFormat::U32LE;
}

template <unsigned Bytes, std::endian Order = std::endian::big>
class BasicIntNStringReceiver : public IntNStringReceiver {
  static_assert(Bytes == 1 || Bytes == 2 || Bytes == 4, "prefix is 1, 2 or 4 bytes");

 public:
  static constexpr PrefixFormat kFormat = prefixFormatFor(Bytes, Order);
  explicit BasicIntNStringReceiver(size_t maxStringLength = kDefaultMaxLength)
      : IntNStringReceiver(kFormat, maxStringLength) {}
};

// Twisted's classes: unsigned, network byte order.
using Int8StringReceiver = BasicIntNStringReceiver<1>;
using Int16StringReceiver = BasicIntNStringReceiver<2>;
using Int32StringReceiver = BasicIntNStringReceiver<4>;
// Little-endian: the seed applications' framing is Int32LEStringReceiver.
using Int16LEStringReceiver = BasicIntNStringReceiver<2, std::endian::little>;
using Int32LEStringReceiver = BasicIntNStringReceiver<4, std::endian::little>;

}  // namespace weft
