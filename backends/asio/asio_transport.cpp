#include "asio/asio_transport.hpp"

#include "asio/asio_batch.hpp"
#include "asio/handler_slots.hpp"

#include <boost/asio/post.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>

#include <cstddef>
#include <exception>
#include <memory>
#include <string>

#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft::asio_backend {

Reason reasonFromError(const ErrorCode& ec, std::string_view context) {
  namespace e = net::error;
  ErrorKind kind = ErrorKind::ConnectionLost;
  if (ec == e::connection_refused)
    kind = ErrorKind::ConnectionRefused;
  else if (ec == e::timed_out)
    kind = ErrorKind::TimedOut;
  else if (ec == e::connection_reset || ec == e::broken_pipe)
    kind = ErrorKind::Reset;
  else if (ec == e::connection_aborted)
    kind = ErrorKind::Aborted;
  else if (ec == e::no_descriptors)
    kind = ErrorKind::TooManyOpenFiles;
  std::string msg(context);
  msg += msg.empty() ? "" : ": ";
  msg += ec.message();
  return Reason{kind, std::move(msg), ec.value()};
}

Address toAddress(const tcp::endpoint& ep) {
  return Address::fromSockaddr(ep.data(), static_cast<socklen_t>(ep.size()));
}

// Counted without atomics: see io_ in the header.
struct AsioTransport::Io
    : boost::intrusive_ref_counter<AsioTransport::Io, boost::thread_unsafe_counter> {
  explicit Io(Socket s) : socket(std::move(s)) {}
  Socket socket;
  // Two queues, because an append may move the bytes an asynchronous write still reads
  // (a tail chunk grows, the chunk vector reallocates): `sending` is what the write in flight
  // points into and is touched only by its completion; new bytes wait in `waiting`.
  detail::WriteQueue sending;
  detail::WriteQueue waiting;
  size_t buffered() const { return sending.size() + waiting.size(); }
  void clear(bool inFlight) {
    waiting.clear();
    if (!inFlight) sending.clear();
  }
  // Gather arrays, kept here rather than on the stack: filling 2 KiB of default-constructed
  // views and buffers per send was three quarters of sendCorked's time. writeBufs is what the
  // asynchronous write in flight points to; synchronous writes use it only when none is.
  std::array<std::string_view, kMaxGather> views;
  std::array<net::const_buffer, kMaxGather> writeBufs;
  AsioTransport* owner = nullptr;  // null once the transport is gone: late completions drop
  std::array<char, kReadBufferSize> readBuf;

  // Memory for the operations in flight: the read, the write, and the posted deliver and
  // flush steps, each at most one at a time. (The next read's start is not posted: see
  // DeferredReads.)
  HandlerSlots<4> slots;
};

AsioTransport::AsioTransport(ReactorBackend& reactor, Batch& batch, DeferredReads& deferred, Socket socket,
                             std::unique_ptr<Protocol> protocol,
                             std::shared_ptr<ConnectionOwner> owner)
    : reactor_(reactor),
      batch_(batch),
      deferred_(deferred),
      io_(new Io(std::move(socket))),  // intrusive_ptr owns it from here
      protocol_(std::move(protocol)),
      owner_(std::move(owner)) {
  io_->owner = this;
}

AsioTransport::~AsioTransport() {
  io_->owner = nullptr;
  if (abortCall_.active()) abortCall_.cancel();
  if (lingerCall_.active()) lingerCall_.cancel();
  ErrorCode ec;
  if (io_->socket.is_open()) io_->socket.close(ec);  // pending operations complete as aborted
}

template <class F>
struct AsioTransport::Handler {
  boost::intrusive_ptr<Io> io;
  F f;
  using allocator_type = SlotAllocator<void, HandlerSlots<4>>;
  allocator_type get_allocator() const noexcept { return allocator_type(&io->slots); }
  template <class... Args>
  void operator()(Args&&... args) {
    if (AsioTransport* t = io->owner) {
      t->batch_.open();
      f(*t, args...);
    }
  }
};

template <class F>
auto AsioTransport::handler(F f) {
  return Handler<F>{io_, std::move(f)};
}

template <class F>
void AsioTransport::callProtocol(const char* what, F&& f) {
  // Protocol code that throws loses its own connection, never the reactor.
  try {
    f();
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("exception in ") + what + ": " + e.what());
    if (!lost_) connectionDone(Reason{ErrorKind::ConnectionLost, std::string(what) + " threw", 0});
  }
}

void AsioTransport::start() {
  ErrorCode ec;
  io_->socket.set_option(tcp::no_delay(true), ec);
  // write() tries the socket at once, like core's transport; only what the kernel refuses is
  // queued for an asynchronous write.
  io_->socket.non_blocking(true, ec);
  callProtocol("connectionMade", [&] { protocol_->makeConnection(*this); });
  update();
}

bool AsioTransport::canRead() const {
  return !disconnecting() && !readEof_ && !userPaused_ && !backpressured_;
}

void AsioTransport::update(ReadStart start) {
  if (lost_ || aborting_) return;
  // Never a new read while dataReceived still looks at the buffer it would fill.
  if (canRead() && !reading_ && !delivering_ && !readPosted_) {
    if (hasHeld_) {
      // Delivered from the loop, never inside the caller's resumeProducing().
      if (!deliverPosted_) {
        deliverPosted_ = true;
        net::post(io_->socket.get_executor(), handler([](AsioTransport& t) {
                    t.deliverPosted_ = false;
                    t.deliverHeld();
                  }));
      }
    } else if (start == ReadStart::AfterOthers) {
      // Right after a delivery the reply has only just left, so a read started now finds
      // nothing: Asio tries the socket before waiting, and that is one failed recv() per
      // message. Deferred to the end of the batch, the read starts after the other ready
      // completions, as a native server's read does from its write-completion handler, and
      // usually finds the next request already there.
      readPosted_ = true;
      deferred_.add(io_);
    } else {
      readNext();
    }
  }
  bool flushStep =
      pendingError_ || (disconnecting() && !producer_) || (writeShutPending_ && !writeShut_);
  if (flushStep && !writing_ && io_->buffered() == 0 && !flushPosted_) {
    // Closing is always asynchronous: connectionLost never runs inside the caller's stack.
    flushPosted_ = true;
    net::post(io_->socket.get_executor(), handler([](AsioTransport& t) { t.onFlushEvent(); }));
  }
}

void AsioTransport::readNext() {
  reading_ = true;
  io_->socket.async_read_some(
      net::buffer(io_->readBuf),
      handler([](AsioTransport& t, const ErrorCode& ec, size_t n) { t.onRead(ec, n); }));
}

void AsioTransport::onRead(const ErrorCode& ec, size_t n) {
  reading_ = false;
  if (lingering_) {
    if (ec)
      finishClose();  // EOF or error: the peer has everything it will ever read
    else
      readNext();  // discarded
    return;
  }
  if (lost_ || aborting_) return;
  // A completed read cannot be un-read: while paused it waits in the buffer (at most one
  // buffer's worth) and is delivered on resume.
  heldError_ = ec;
  heldBytes_ = n;
  hasHeld_ = true;
  deliverHeld();
}

void AsioTransport::deliverHeld() {
  if (!hasHeld_ || lost_ || aborting_) return;
  if (disconnecting() || readEof_) {
    hasHeld_ = false;  // closing: what arrives now is dropped, as core stops reading
    return;
  }
  if (!canRead()) return;
  hasHeld_ = false;
  if (heldError_ == net::error::eof) {
    peerClosedWriting();
  } else if (heldError_) {
    if (heldError_ != net::error::operation_aborted)
      connectionDone(reasonFromError(heldError_, "recv"));
    return;
  } else {
    std::string_view data(io_->readBuf.data(), heldBytes_);
    // Corked, as in core: replies written while handling this read leave together in one
    // gather write after it, not one send each.
    delivering_ = corked_ = true;
    wroteInRead_ = false;
    // Replies that are bytes of this read are queued as views of the read buffer and leave in
    // flushNow's write, straight from it (corked writes go to `waiting`).
    io_->waiting.lend(data);
    callProtocol("dataReceived", [&] { protocol_->dataReceived(data); });
    delivering_ = corked_ = false;
    flushNow();
    if (lost_) return;
    // Reading stops while the replies this reading produced cannot drain: a peer that does
    // not read cannot grow our memory. Writes made outside reads never stop reading.
    if (wroteInRead_ && readBackpressure_ && io_->buffered() > marks_.high) backpressured_ = true;
    update(ReadStart::AfterOthers);
    return;
  }
  update();
}

void AsioTransport::peerClosedWriting() {
  readEof_ = true;
  if (protocol_->halfCloseable()) {
    callProtocol("readConnectionLost", [&] { protocol_->readConnectionLost(); });
    if (!lost_ && writeShut_) connectionDone(Reason{ErrorKind::ConnectionDone, "closed", 0});
    return;
  }
  // Without half-close support the connection ends, but what is queued is delivered first.
  markDisconnecting();
}

size_t AsioTransport::gatherBuffers(const detail::WriteQueue& queue) {
  size_t count = queue.gather(io_->views);
  for (size_t i = 0; i < count; ++i)
    io_->writeBufs[i] = net::buffer(io_->views[i].data(), io_->views[i].size());
  return count;
}

size_t AsioTransport::writeBuffersNow(size_t count, ErrorCode& ec) {
  // A single buffer takes Asio's plain send() path (cheaper than sendmsg).
  return count == 1 ? io_->socket.write_some(io_->writeBufs[0], ec)
                    : io_->socket.write_some(
                          std::span<const net::const_buffer>(io_->writeBufs.data(), count), ec);
}

static bool wouldBlock(const ErrorCode& ec) {
  return ec == net::error::would_block || ec == net::error::try_again ||
         ec == net::error::interrupted;
}

bool AsioTransport::sendNow(std::span<const std::string_view> parts) {
  // Returns false when a hard error was recorded (nothing may be queued after it).
  size_t count = 0, total = 0;
  for (; count < parts.size() && count < kMaxGather; ++count) {
    io_->writeBufs[count] = net::buffer(parts[count].data(), parts[count].size());
    total += parts[count].size();
  }
  size_t sent = 0;
  if (total > 0) {
    ErrorCode ec;
    sent = writeBuffersNow(count, ec);
    if (wouldBlock(ec)) {
      sent = 0;
    } else if (ec) {
      pendingError_ = ec;
      update();
      return false;
    }
  }
  size_t i = 0;
  for (; i < parts.size() && sent >= parts[i].size(); ++i) sent -= parts[i].size();
  if (i < parts.size() && sent > 0) io_->waiting.append(parts[i++].substr(sent));
  io_->waiting.append(parts.subspan(i));
  return true;
}

void AsioTransport::write(std::string_view data) {
  writeSequence(std::span<const std::string_view>(&data, 1));
}

void AsioTransport::writeSequence(std::span<const std::string_view> parts) {
  if (disconnecting() || writeShut_ || writeShutPending_) return;
  if (!corked_ && io_->buffered() == 0 && !writing_ && !pendingError_) {
    if (!sendNow(parts)) return;
  } else {
    io_->waiting.append(parts);
  }
  if (io_->buffered() != 0) queued();
}

void AsioTransport::queued() {
  if (corked_) wroteInRead_ = true;
  if (io_->buffered() > marks_.high && producer_ && !producerPaused_) {
    producerPaused_ = true;
    producer_->pauseProducing();
  }
  if (!corked_) startWriting();  // a corked read flushes once, after dataReceived
}

void AsioTransport::flushNow() {
  sendCorked();
  // From here the read buffer may be reused (the next read, an asynchronous write of the
  // rest): what is still borrowed from it is copied now. The loan is on `waiting` (nothing
  // makes the queues trade places during a delivery); `sending` is ended too, defensively.
  io_->sending.endLoan();
  io_->waiting.endLoan();
  if (lost_ || aborting_ || pendingError_) return;
  if (io_->buffered() <= marks_.low && (backpressured_ || producerPaused_)) {
    drainedBelowLowMark();
    if (lost_) return;
  }
  startWriting();
}

void AsioTransport::sendCorked() {
  if (lost_ || writing_ || pendingError_ || aborting_ || io_->buffered() == 0) return;
  // No write is in flight, so nothing points into `waiting` and it is sent from where it is:
  // the two queues trade places only for an asynchronous write.
  detail::WriteQueue& queue = io_->sending.empty() ? io_->waiting : io_->sending;
  ErrorCode ec;
  size_t n = writeBuffersNow(gatherBuffers(queue), ec);
  if (ec && !wouldBlock(ec)) {
    pendingError_ = ec;  // reported by update()'s flush step, from the loop
    return;
  }
  if (!ec) queue.consume(n);
}

void AsioTransport::startWriting() {
  if (writing_ || lost_ || aborting_ || io_->buffered() == 0) return;
  if (io_->sending.empty()) std::swap(io_->sending, io_->waiting);
  size_t count = gatherBuffers(io_->sending);
  writing_ = true;
  // The buffer sequence points into Io, which the handler keeps alive.
  auto done = handler([](AsioTransport& t, const ErrorCode& ec, size_t n) { t.onWritten(ec, n); });
  if (count == 1)
    io_->socket.async_write_some(io_->writeBufs[0], std::move(done));
  else
    io_->socket.async_write_some(std::span<const net::const_buffer>(io_->writeBufs.data(), count),
                                 std::move(done));
}

void AsioTransport::onWritten(const ErrorCode& ec, size_t n) {
  writing_ = false;
  if (lost_ || aborting_) {
    io_->clear(false);  // no longer in flight: the memory may go now
    return;
  }
  if (ec) {
    connectionDone(reasonFromError(ec, "send"));
    return;
  }
  io_->sending.consume(n);
  if (io_->buffered() <= marks_.low && (backpressured_ || producerPaused_)) {
    drainedBelowLowMark();
    if (lost_ || aborting_) return;  // resumeProducing() may have aborted
  }
  if (io_->buffered() != 0) {
    startWriting();
    return;
  }
  flushed();
}

void AsioTransport::drainedBelowLowMark() {
  backpressured_ = false;
  if (producer_ && producerPaused_) {
    producerPaused_ = false;
    producer_->resumeProducing();
  }
  update();
}

void AsioTransport::onFlushEvent() {
  flushPosted_ = false;
  if (lost_ || aborting_) return;
  if (pendingError_) {
    connectionDone(reasonFromError(pendingError_, "send"));
    return;
  }
  if (!writing_ && io_->buffered() == 0) flushed();
}

void AsioTransport::flushed() {
  if (disconnecting() && !producer_) {
    closeCleanly();
    return;
  }
  if (writeShutPending_ && !writeShut_) {
    writeShut_ = true;
    ErrorCode ec;
    io_->socket.shutdown(tcp::socket::shutdown_send, ec);
    if (protocol_->halfCloseable())
      callProtocol("writeConnectionLost", [&] { protocol_->writeConnectionLost(); });
    if (!lost_ && readEof_) {
      connectionDone(Reason{ErrorKind::ConnectionDone, "closed", 0});
      return;
    }
  }
  update();
}

void AsioTransport::loseConnection() {
  if (disconnecting()) return;
  markDisconnecting();
  update();
}

void AsioTransport::loseWriteConnection() {
  if (disconnecting() || writeShutPending_) return;
  writeShutPending_ = true;
  update();
}

void AsioTransport::abortConnection() {
  if (lost_ || aborting_) return;
  aborting_ = true;
  markDisconnecting();
  io_->clear(writing_);
  if (producer_) std::exchange(producer_, nullptr)->stopProducing();
  ErrorCode ec;
  if (!peerCache_) {
    auto peer = io_->socket.remote_endpoint(ec);
    if (!ec) peerCache_ = std::make_unique<Address>(toAddress(peer));
  }
  // SO_LINGER {on, 0}: the close sends RST on every platform.
  io_->socket.set_option(net::socket_base::linger(true, 0), ec);
  io_->socket.close(ec);
  // Never re-entrant: connectionLost runs on the next tick.
  abortCall_ = reactor_.callLater(Duration(0), [this] {
    connectionDone(Reason{ErrorKind::Aborted, "connection was aborted", 0});
  });
}

void AsioTransport::closeCleanly() {
  const Reason done{ErrorKind::ConnectionDone, "connection was closed cleanly", 0};
  ErrorCode ec;
  if (readEof_ || io_->socket.available(ec) == 0 || ec) {
    connectionDone(done);
    return;
  }
  // As in core: closing with unread input makes the kernel send RST, which can destroy the
  // replies still in flight to the peer. So send FIN, report the end now, and discard input
  // until the peer's EOF, for a bounded time (a lingering close).
  io_->socket.shutdown(tcp::socket::shutdown_send, ec);
  lingering_ = true;
  notifyLost(done);
  if (!lingering_) return;
  lingerCall_ = reactor_.callLater(kLingerTimeout, [this] { finishClose(); });
  if (!reading_) readNext();
}

void AsioTransport::finishClose() {
  if (lingerCall_.active()) lingerCall_.cancel();
  lingering_ = false;
  closeSocket();
  reactor_.retire(this);
}

void AsioTransport::forceClose() {
  if (lingering_) {
    finishClose();
    return;
  }
  connectionDone(
      Reason{ErrorKind::ConnectionLost, "reactor shut down before the connection closed", 0});
}

void AsioTransport::connectionDone(const Reason& why) {
  if (lost_) return;
  closeSocket();
  notifyLost(why);
  reactor_.retire(this);
}

void AsioTransport::closeSocket() {
  ErrorCode ec;
  if (!io_->socket.is_open()) return;
  if (!peerCache_) {
    auto peer = io_->socket.remote_endpoint(ec);
    if (!ec) peerCache_ = std::make_unique<Address>(toAddress(peer));
  }
  io_->socket.close(ec);
}

void AsioTransport::notifyLost(const Reason& why) {
  if (lost_) return;
  lost_ = true;
  markDisconnecting();
  if (abortCall_.active()) abortCall_.cancel();
  io_->clear(writing_);
  if (producer_) std::exchange(producer_, nullptr)->stopProducing();
  try {
    protocol_->connectionLost(why);
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("exception in connectionLost: ") + e.what());
  }
  if (owner_) owner_->connectionLost(why);
}

size_t AsioTransport::bufferedBytes() const {
  return lost_ || aborting_ ? 0 : io_->buffered();
}

Address AsioTransport::getPeer() const {
  if (!peerCache_ && io_->socket.is_open()) {
    ErrorCode ec;
    auto peer = io_->socket.remote_endpoint(ec);
    if (!ec) peerCache_ = std::make_unique<Address>(toAddress(peer));
  }
  return peerCache_ ? *peerCache_ : Address{};
}

Address AsioTransport::getHost() const {
  ErrorCode ec;
  auto host = io_->socket.is_open() ? io_->socket.local_endpoint(ec) : tcp::endpoint{};
  return io_->socket.is_open() && !ec ? toAddress(host) : Address{};
}

void AsioTransport::registerProducer(PushProducer& producer) {
  if (producer_) throw Error(ErrorKind::InvalidArgument, "a producer is already registered");
  if (lost_) {
    producer.stopProducing();
    return;
  }
  producer_ = &producer;
  producerPaused_ = false;
  if (io_->buffered() > marks_.high) {
    producerPaused_ = true;
    producer.pauseProducing();
  }
}

void AsioTransport::unregisterProducer() {
  producer_ = nullptr;
  producerPaused_ = false;
  update();  // a pending loseConnection may now complete
}

void AsioTransport::setReadBackpressure(bool on) {
  readBackpressure_ = on;
  if (!on) backpressured_ = false;
  update();
}

void AsioTransport::pauseProducing() {
  userPaused_ = true;
}

void AsioTransport::resumeProducing() {
  if (disconnecting()) return;
  userPaused_ = false;
  update();
}

void AsioTransport::setTcpNoDelay(bool on) {
  ErrorCode ec;
  io_->socket.set_option(tcp::no_delay(on), ec);
}
bool AsioTransport::getTcpNoDelay() const {
  ErrorCode ec;
  tcp::no_delay opt;
  io_->socket.get_option(opt, ec);
  return !ec && opt.value();
}
void AsioTransport::setTcpKeepAlive(bool on) {
  ErrorCode ec;
  io_->socket.set_option(net::socket_base::keep_alive(on), ec);
}
bool AsioTransport::getTcpKeepAlive() const {
  ErrorCode ec;
  net::socket_base::keep_alive opt;
  io_->socket.get_option(opt, ec);
  return !ec && opt.value();
}

DeferredReads::DeferredReads() = default;
DeferredReads::~DeferredReads() = default;

void DeferredReads::add(const boost::intrusive_ptr<AsioTransport::Io>& io) {
  ios_.push_back(io);
}

void DeferredReads::startAll() {
  starting_.swap(ios_);
  size_t i = 0;
  try {
    for (; i < starting_.size(); ++i) {
      if (AsioTransport* t = starting_[i]->owner) {
        t->readPosted_ = false;
        t->update();
      }
    }
  } catch (...) {
    // The reads not yet started wait for the next call, as if deferred again.
    ios_.insert(ios_.end(), std::make_move_iterator(starting_.begin() + std::ptrdiff_t(i) + 1),
                std::make_move_iterator(starting_.end()));
    starting_.clear();
    throw;
  }
  starting_.clear();
}

}  // namespace weft::asio_backend
