// Transport: what a Protocol writes to (Twisted's ITCPTransport + IConsumer + IPushProducer).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>

#include "weft/address.hpp"

namespace weft {

// Something that produces data into a transport and can be told to slow down.
class PushProducer {
 public:
  virtual ~PushProducer() = default;
  virtual void pauseProducing() = 0;
  virtual void resumeProducing() = 0;
  virtual void stopProducing() = 0;
};

// Default flow-control thresholds: above `high` buffered bytes the registered producer (and,
// by default, our own reading) is paused; it resumes once the buffer drains below `low`.
struct WaterMarks {
  size_t high = 64 * 1024;
  size_t low = 16 * 1024;
};

// A transport is itself a push producer: pausing it stops reading from the socket.
class Transport : public PushProducer {
 public:
  // Non-blocking. Data is never lost unless the connection closes; writes after
  // loseConnection()/abortConnection() or after connectionLost are dropped.
  virtual void write(std::string_view data) = 0;
  // Gathered into one writev where possible.
  virtual void writeSequence(std::span<const std::string_view> parts) = 0;
  void writeSequence(std::initializer_list<std::string_view> parts) {
    writeSequence(std::span<const std::string_view>(parts.begin(), parts.size()));
  }
  // Flush what is buffered (and wait for a registered producer to unregister), then close.
  virtual void loseConnection() = 0;
  // Half-close: flush, then shutdown(SHUT_WR); reading continues.
  virtual void loseWriteConnection() = 0;
  // Drop buffers, send RST; connectionLost(Aborted) follows on the next tick, never re-entrantly.
  virtual void abortConnection() = 0;

  virtual Address getPeer() const = 0;
  virtual Address getHost() const = 0;

  // Register a producer that is paused while more than WaterMarks::high bytes are buffered.
  // Throws Error(InvalidArgument) if one is already registered.
  virtual void registerProducer(PushProducer& producer) = 0;
  virtual void unregisterProducer() = 0;
  virtual void setWaterMarks(WaterMarks marks) = 0;
  // When on (the default), the transport stops reading while its own write buffer is above
  // the high-water mark, so a peer that does not read cannot grow our memory (e.g. echo).
  virtual void setReadBackpressure(bool on) = 0;
  virtual size_t bufferedBytes() const = 0;

  virtual void setTcpNoDelay(bool on) = 0;
  virtual bool getTcpNoDelay() const = 0;
  virtual void setTcpKeepAlive(bool on) = 0;
  virtual bool getTcpKeepAlive() const = 0;

  // True once loseConnection()/abortConnection() was called or the connection is gone. Not
  // virtual: the parsers ask before every message they deliver, and a virtual call per line
  // was a tenth of LineOnlyReceiver's time (Twisted's transport.disconnecting is a plain
  // attribute too). Implementations call markDisconnecting().
  bool disconnecting() const { return markedDisconnecting_; }
  virtual bool connected() const = 0;

 protected:
  void markDisconnecting() { markedDisconnecting_ = true; }

 private:
  bool markedDisconnecting_ = false;
};

}  // namespace weft
