// AsioTransport: the TCP transport of the completion backend, over an Asio TCP socket, with
// the semantics of core's StreamTransport (write at once and queue the rest, gather writes,
// flush-then-close, half-close, abort, producers and water marks, read backpressure). On Linux
// Asio drives it with epoll; on Windows the same code is IOCP.
#pragma once

// Boost 1.74's asio headers use std::exchange without <utility> under MinGW.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/smart_ptr/intrusive_ptr.hpp>

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "weft/delayed_call.hpp"
#include "weft/detail/write_queue.hpp"
#include "weft/protocol.hpp"
#include "weft/reactor_backend.hpp"
#include "weft/transport.hpp"

namespace weft::asio_backend {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;
// Sockets bound to the io_context's concrete executor, not Asio's default type-erased
// any_io_executor: every operation would otherwise copy and query a type-erased executor, and
// every post would wrap its handler in a heap-allocated function object.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;

// Asio's portable error codes mapped to weft's kinds (errno on POSIX, WSA codes on Windows).
Reason reasonFromError(const ErrorCode& ec, std::string_view context);
Address toAddress(const tcp::endpoint& ep);

// What a client connection reports to its connector, after the protocol's connectionLost.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual void connectionLost(const Reason& why) = 0;
};

class Batch;
class DeferredReads;

class AsioTransport final : public Transport, public TrackedConnection {
 public:
  static constexpr size_t kReadBufferSize = 64 * 1024;

  // `batch` and `deferred` are the loop's: every handler opens the batch, and the reads
  // `deferred` holds start at its end.
  AsioTransport(ReactorBackend& reactor, Batch& batch, DeferredReads& deferred, Socket socket,
                std::unique_ptr<Protocol> protocol, std::shared_ptr<ConnectionOwner> owner);
  ~AsioTransport() override;

  // Hand the transport to the protocol and start reading.
  void start();

  void write(std::string_view data) override;
  void writeSequence(std::span<const std::string_view> parts) override;
  using Transport::writeSequence;
  void loseConnection() override;
  void loseWriteConnection() override;
  void abortConnection() override;
  Address getPeer() const override;
  Address getHost() const override;
  void registerProducer(PushProducer& producer) override;
  void unregisterProducer() override;
  void setWaterMarks(WaterMarks marks) override { marks_ = marks; }
  void setReadBackpressure(bool on) override;
  size_t bufferedBytes() const override;
  void setTcpNoDelay(bool on) override;
  bool getTcpNoDelay() const override;
  void setTcpKeepAlive(bool on) override;
  bool getTcpKeepAlive() const override;
  bool connected() const override { return !lost_; }
  void pauseProducing() override;
  void resumeProducing() override;
  void stopProducing() override { loseConnection(); }

  void beginShutdownDrain() override { loseConnection(); }
  void forceClose() override;

 private:
  friend class DeferredReads;
  // The socket and every buffer an operation in flight may still touch. Completion handlers
  // share it, so it outlives the transport until the last of them has run (IOCP may write
  // into the read buffer until the cancelled operation completes).
  struct Io;
  static constexpr size_t kMaxGather = 64;

  // A completion handler that keeps the buffers alive, reaches the transport only while it
  // exists, and allocates its operation in the Io's slots.
  template <class F>
  struct Handler;
  template <class F>
  auto handler(F f);
  bool canRead() const;
  enum class ReadStart { Now, AfterOthers };
  // Start or stop what the state asks for: a read, a deferred read delivery, a flush step.
  void update(ReadStart start = ReadStart::Now);
  void readNext();
  void onRead(const ErrorCode& ec, size_t n);
  void deliverHeld();
  void peerClosedWriting();
  bool sendNow(std::span<const std::string_view> parts);
  // The queue's first chunks into Io's writeBufs; returns how many.
  size_t gatherBuffers(const detail::WriteQueue& queue);
  // One synchronous gather write of the first `count` writeBufs.
  size_t writeBuffersNow(size_t count, ErrorCode& ec);
  void queued();
  // After a corked read: one synchronous gather write of the queue, the loan of the read
  // buffer ended, the rest sent asynchronously.
  void flushNow();
  void sendCorked();
  void startWriting();
  void onWritten(const ErrorCode& ec, size_t n);
  void drainedBelowLowMark();
  void onFlushEvent();
  void flushed();
  // The single way out: close, stop the producer, connectionLost, tell the connector, retire.
  void connectionDone(const Reason& why);
  void closeCleanly();  // possibly lingering: FIN, connectionLost, discard until EOF
  void finishClose();
  void closeSocket();
  void notifyLost(const Reason& why);
  template <class F>
  void callProtocol(const char* what, F&& f);

  ReactorBackend& reactor_;
  Batch& batch_;
  DeferredReads& deferred_;
  // Shared with every handler in flight. Not std::shared_ptr: each handler copies and drops
  // it, always on the reactor thread, and shared_ptr's atomic count cost two locked
  // instructions per handler (four per message), a visible part of the gap to native Asio.
  boost::intrusive_ptr<Io> io_;
  std::unique_ptr<Protocol> protocol_;
  std::shared_ptr<ConnectionOwner> owner_;
  PushProducer* producer_ = nullptr;
  WaterMarks marks_;
  static constexpr Duration kLingerTimeout{2.0};
  DelayedCall abortCall_;
  DelayedCall lingerCall_;
  mutable std::unique_ptr<Address> peerCache_;
  ErrorCode pendingError_;  // a send failed inside write(): reported later, never re-entrantly
  ErrorCode heldError_;     // a completed read not yet delivered (paused, backpressured)
  size_t heldBytes_ = 0;
  bool hasHeld_ = false;
  bool reading_ = false;     // an async read is in flight
  bool delivering_ = false;  // inside dataReceived: the read buffer is in use
  bool corked_ = false;      // inside dataReceived: writes queue, one flush after it
  bool wroteInRead_ = false;
  bool writing_ = false;  // an async write is in flight
  bool deliverPosted_ = false;
  bool readPosted_ = false;  // in deferred_: update() runs at the end of the batch
  bool flushPosted_ = false;
  bool userPaused_ = false;
  bool backpressured_ = false;
  bool readBackpressure_ = true;
  bool producerPaused_ = false;
  bool aborting_ = false;
  bool lost_ = false;  // set with markDisconnecting() (notifyLost): lost_ implies disconnecting()
  bool lingering_ = false;
  bool readEof_ = false;
  bool writeShutPending_ = false;
  bool writeShut_ = false;
};

// The transports whose next read starts at the end of the loop's current batch of handlers,
// after the other completions that were ready (see AsioTransport::update). The loop calls
// startAll() when a batch ends (asio_batch.hpp). A list rather than a posted handler per read: at
// one connection the post, its handler and the scheduler's lock were about 1% of the CPU per
// message. Each entry holds the transport's Io, so a transport gone meanwhile is skipped.
class DeferredReads {
 public:
  DeferredReads();
  ~DeferredReads();
  DeferredReads(const DeferredReads&) = delete;
  DeferredReads& operator=(const DeferredReads&) = delete;

  bool empty() const { return ios_.empty(); }
  void add(const boost::intrusive_ptr<AsioTransport::Io>& io);
  // Starts the reads held now; reads deferred meanwhile wait for the next call.
  void startAll();

 private:
  std::vector<boost::intrusive_ptr<AsioTransport::Io>> ios_, starting_;
};

}  // namespace weft::asio_backend
