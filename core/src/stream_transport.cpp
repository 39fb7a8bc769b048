#include "stream_transport.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>
#include <string>
#include <utility>

#include "socket_ops.hpp"
#include "tcp_connector.hpp"
#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft {

StreamTransport::StreamTransport(PollerReactor& reactor, int fd, std::unique_ptr<Protocol> protocol,
                                 std::shared_ptr<TcpConnector> connector)
    : reactor_(reactor),
      fd_(fd),
      protocol_(std::move(protocol)),
      connector_(std::move(connector)) {}

StreamTransport::~StreamTransport() {
  if (abortCall_.active()) abortCall_.cancel();
  if (lingerCall_.active()) lingerCall_.cancel();
  if (fd_ >= 0) {
    reactor_.unwatch(fd_);
    sockets::closeSocket(fd_);
  }
}

template <class F>
void StreamTransport::callProtocol(const char* what, F&& f) {
  // Protocol code that throws loses its own connection, never the reactor (Twisted logs the
  // failure and disconnects).
  try {
    f();
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("exception in ") + what + ": " + e.what());
    if (!lost_) connectionDone(Reason{ErrorKind::ConnectionLost, std::string(what) + " threw", 0});
  }
}

bool StreamTransport::start() {
  // Registered readable at once (what updateInterest() would ask for next), so a poller that
  // cannot take one more socket (Winsock select: FD_SETSIZE sockets) refuses it here, where
  // the caller refuses the connection, not inside a later interest change.
  if (!reactor_.watch(fd_, *this, kReadable)) return false;
  interest_ = kReadable;
  sockets::setBoolOption(fd_, IPPROTO_TCP, TCP_NODELAY, true);
  callProtocol("connectionMade", [&] { protocol_->makeConnection(*this); });
  if (!lost_) updateInterest();
  return true;
}

void StreamTransport::updateInterest() {
  if (lost_) return;
  unsigned want = kNone;
  if (!disconnecting() && !readEof_ && !userPaused_ && !backpressured_) want |= kReadable;
  if (!out_.empty() || pendingErrno_ != 0 || (disconnecting() && !producer_) ||
      (writeShutPending_ && !writeShut_)) {
    want |= kWritable;
  }
  if (want != interest_) {
    interest_ = want;
    reactor_.setInterest(fd_, want);
  }
}

void StreamTransport::onReady(unsigned events) {
  if (lingering_) {
    discardUntilEof();
    return;
  }
  if (lost_) return;
  if (events & kError) {
    int err = sockets::pendingError(fd_);
    if (err == 0) err = errnoOf(events);  // the backend read SO_ERROR before us
    if (err != 0) {
      connectionDone(reasonFromErrno(err, "socket error"));
      return;
    }
  }
  if ((events & (kReadable | kHangup)) && (interest_ & kReadable)) doRead();
  if (lost_) return;
  // A hang-up also goes to the writer: the flush completes the close, or the failed send
  // names the reason. With no interest the fd is not watched, so nothing can spin.
  if ((events & (kWritable | kError | kHangup)) && (interest_ & kWritable)) doWrite();
}

void StreamTransport::doRead() {
  char* buf = reactor_.readBuffer();
  auto n = sockets::receive(fd_, buf, PollerReactor::kReadBufferSize);
  if (n > 0) {
    // Corked: replies written while handling this read leave together in one gather write
    // after it, not one send() each (16 pipelined frames would otherwise cost 16 syscalls).
    corked_ = true;
    wroteInRead_ = false;
    const std::string_view data(buf, static_cast<size_t>(n));
    // Replies that are bytes of this read are sent from the read buffer; the queue copies
    // what is left of them when this scope ends, before another read can reuse the buffer.
    detail::WriteQueue::Loan loan(out_, data);
    callProtocol("dataReceived", [&] { protocol_->dataReceived(data); });
    corked_ = false;
    if (lost_ || out_.empty()) return;
    if (!(interest_ & kWritable) && pendingErrno_ == 0 && !sendQueued()) return;
    // Reading stops while the replies this reading produced cannot drain: a peer that does
    // not read cannot grow our memory. Writes made outside reads never stop reading.
    if (wroteInRead_ && readBackpressure_ && out_.size() > marks_.high) backpressured_ = true;
    updateInterest();
    return;
  }
  if (n == 0) {
    peerClosedWriting();
    return;
  }
  int err = sockets::lastError();
  if (sockets::wouldBlock(err)) return;
  connectionDone(reasonFromErrno(err, "recv"));
}

void StreamTransport::peerClosedWriting() {
  readEof_ = true;
  if (protocol_->halfCloseable()) {
    updateInterest();
    callProtocol("readConnectionLost", [&] { protocol_->readConnectionLost(); });
    if (!lost_ && writeShut_) connectionDone(Reason{ErrorKind::ConnectionDone, "closed", 0});
    return;
  }
  // Without half-close support the connection ends, but what the protocol already queued is
  // still delivered first (a client that half-closes after its last request gets its replies).
  if (!disconnecting()) {
    markDisconnecting();
    updateInterest();
  }
}

void StreamTransport::write(std::string_view data) {
  if (disconnecting() || writeShut_ || writeShutPending_ || data.empty()) return;
  if (!corked_ && out_.empty() && pendingErrno_ == 0) {
    auto n = sockets::send(fd_, data.data(), data.size());
    if (n == static_cast<std::ptrdiff_t>(data.size())) return;
    if (n < 0) {
      if (int err = sockets::lastError(); !sockets::wouldBlock(err)) {
        pendingErrno_ = err;
        updateInterest();
        return;
      }
      n = 0;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  out_.append(data);
  queued();
}

void StreamTransport::writeSequence(std::span<const std::string_view> parts) {
  if (disconnecting() || writeShut_ || writeShutPending_) return;
  size_t i = 0;
  if (!corked_ && out_.empty() && pendingErrno_ == 0) {
    // One sendmsg for the whole sequence (e.g. prefix + payload): no Nagle stall, one syscall.
    constexpr size_t kMaxParts = 64;
    size_t count = std::min(parts.size(), kMaxParts), total = 0;
    for (size_t k = 0; k < count; ++k) total += parts[k].size();
    if (total == 0 && count == parts.size()) return;
    auto n = sockets::sendGather(fd_, parts.data(), count);
    if (n < 0) {
      if (int err = sockets::lastError(); !sockets::wouldBlock(err)) {
        pendingErrno_ = err;
        updateInterest();
        return;
      }
      n = 0;
    }
    size_t sent = static_cast<size_t>(n);
    for (; i < count && sent >= parts[i].size(); ++i) sent -= parts[i].size();
    if (i < parts.size() && sent > 0) out_.append(parts[i++].substr(sent));
  }
  out_.append(parts.subspan(i));
  if (!out_.empty()) queued();
}

void StreamTransport::queued() {
  if (corked_) wroteInRead_ = true;
  if (out_.size() > marks_.high && producer_ && !producerPaused_) {
    producerPaused_ = true;
    producer_->pauseProducing();
  }
  if (!corked_) updateInterest();  // a corked read updates interest once, after the flush
}

void StreamTransport::drainedBelowLowMark() {
  backpressured_ = false;
  if (producer_ && producerPaused_) {
    producerPaused_ = false;
    producer_->resumeProducing();
  }
}

void StreamTransport::doWrite() {
  if (pendingErrno_ != 0) {
    connectionDone(reasonFromErrno(pendingErrno_, "send"));
    return;
  }
  if (!out_.empty()) {
    if (!sendQueued()) return;
    if (!out_.empty()) {
      updateInterest();
      return;
    }
  }
  flushed();
}

bool StreamTransport::sendQueued() {
  std::array<std::string_view, 64> views;
  size_t count = out_.gather(views);
  auto n = sockets::sendGather(fd_, views.data(), count);
  if (n < 0) {
    int err = sockets::lastError();
    if (sockets::wouldBlock(err)) return true;
    connectionDone(reasonFromErrno(err, "send"));
    return false;
  }
  out_.consume(static_cast<size_t>(n));
  if (out_.size() <= marks_.low && (backpressured_ || producerPaused_)) drainedBelowLowMark();
  // resumeProducing() may have aborted (fd gone, connectionLost due next tick): not a flush.
  return !lost_ && fd_ >= 0;
}

void StreamTransport::flushed() {
  if (disconnecting() && !producer_) {
    closeCleanly();
    return;
  }
  if (writeShutPending_ && !writeShut_) {
    writeShut_ = true;
    sockets::shutdownWrite(fd_);
    if (protocol_->halfCloseable())
      callProtocol("writeConnectionLost", [&] { protocol_->writeConnectionLost(); });
    if (!lost_ && readEof_) {
      connectionDone(Reason{ErrorKind::ConnectionDone, "closed", 0});
      return;
    }
  }
  updateInterest();
}

void StreamTransport::loseConnection() {
  if (disconnecting()) return;
  // Closing is always asynchronous: the next writable event flushes and closes, so
  // connectionLost never runs inside the caller's stack.
  markDisconnecting();
  updateInterest();
}

void StreamTransport::loseWriteConnection() {
  if (disconnecting() || writeShutPending_) return;
  writeShutPending_ = true;
  updateInterest();
}

void StreamTransport::abortConnection() {
  if (lost_ || abortCall_.active()) return;
  markDisconnecting();
  out_.clear();
  if (producer_) {
    auto* p = std::exchange(producer_, nullptr);
    p->stopProducing();
  }
  reactor_.unwatch(fd_);
  interest_ = kNone;
  sockets::closeWithReset(fd_);
  fd_ = -1;
  // Never re-entrant: connectionLost runs on the next tick.
  abortCall_ = reactor_.callLater(Duration(0), [this] {
    connectionDone(Reason{ErrorKind::Aborted, "connection was aborted", 0});
  });
}

void StreamTransport::closeCleanly() {
  const Reason done{ErrorKind::ConnectionDone, "connection was closed cleanly", 0};
  if (readEof_ || sockets::unreadBytes(fd_) == 0) {
    connectionDone(done);
    return;
  }
  // Closing a socket with unread input makes the kernel send RST, and an RST can destroy the
  // replies still in flight to the peer. So: send FIN, report the end to the protocol now,
  // and read (discarding) until the peer's EOF, for a bounded time (a lingering close).
  sockets::shutdownWrite(fd_);
  lingering_ = true;
  notifyLost(done);
  if (fd_ < 0) return;
  interest_ = kReadable;
  reactor_.setInterest(fd_, kReadable);
  lingerCall_ = reactor_.callLater(kLingerTimeout, [this] { finishClose(); });
}

void StreamTransport::discardUntilEof() {
  char* buf = reactor_.readBuffer();
  for (int i = 0; i < 16; ++i) {  // bounded per event: a flooding peer cannot hold the loop
    auto n = sockets::receive(fd_, buf, PollerReactor::kReadBufferSize);
    if (n > 0) continue;
    if (n < 0 && sockets::wouldBlock(sockets::lastError())) return;
    finishClose();  // EOF or error: the peer has everything it will ever read
    return;
  }
}

void StreamTransport::finishClose() {
  if (lingerCall_.active()) lingerCall_.cancel();
  lingering_ = false;
  closeFd();
  reactor_.retire(this);
}

void StreamTransport::forceClose() {
  if (lingering_) {
    finishClose();
    return;
  }
  connectionDone(
      Reason{ErrorKind::ConnectionLost, "reactor shut down before the connection closed", 0});
}

void StreamTransport::connectionDone(const Reason& why) {
  if (lost_) return;
  closeFd();
  notifyLost(why);
  reactor_.retire(this);
}

void StreamTransport::closeFd() {
  if (fd_ < 0) return;
  if (!peerCache_) peerCache_ = std::make_unique<Address>(sockets::peerAddress(fd_));
  reactor_.unwatch(fd_);
  sockets::closeSocket(fd_);
  fd_ = -1;
  interest_ = kNone;
}

void StreamTransport::notifyLost(const Reason& why) {
  lost_ = true;
  markDisconnecting();
  if (abortCall_.active()) abortCall_.cancel();
  out_.clear();
  if (producer_) {
    auto* p = std::exchange(producer_, nullptr);
    p->stopProducing();
  }
  try {
    protocol_->connectionLost(why);
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("exception in connectionLost: ") + e.what());
  }
  if (connector_) connector_->connectionLost(why);
}

Address StreamTransport::getPeer() const {
  if (!peerCache_ && fd_ >= 0) peerCache_ = std::make_unique<Address>(sockets::peerAddress(fd_));
  return peerCache_ ? *peerCache_ : Address{};
}

Address StreamTransport::getHost() const {
  return fd_ >= 0 ? sockets::localAddress(fd_) : Address{};
}

void StreamTransport::registerProducer(PushProducer& producer) {
  if (producer_) throw Error(ErrorKind::InvalidArgument, "a producer is already registered");
  if (lost_) {
    producer.stopProducing();
    return;
  }
  producer_ = &producer;
  producerPaused_ = false;
  if (out_.size() > marks_.high) {
    producerPaused_ = true;
    producer.pauseProducing();
  }
}

void StreamTransport::unregisterProducer() {
  producer_ = nullptr;
  producerPaused_ = false;
  updateInterest();  // a pending loseConnection may now complete
}

void StreamTransport::setReadBackpressure(bool on) {
  readBackpressure_ = on;
  if (!on) backpressured_ = false;
  updateInterest();
}

void StreamTransport::pauseProducing() {
  userPaused_ = true;
  updateInterest();
}

void StreamTransport::resumeProducing() {
  if (disconnecting()) return;
  userPaused_ = false;
  updateInterest();
}

void StreamTransport::setTcpNoDelay(bool on) {
  if (fd_ >= 0) sockets::setBoolOption(fd_, IPPROTO_TCP, TCP_NODELAY, on);
}
bool StreamTransport::getTcpNoDelay() const {
  return fd_ >= 0 && sockets::getBoolOption(fd_, IPPROTO_TCP, TCP_NODELAY);
}
void StreamTransport::setTcpKeepAlive(bool on) {
  if (fd_ >= 0) sockets::setBoolOption(fd_, SOL_SOCKET, SO_KEEPALIVE, on);
}
bool StreamTransport::getTcpKeepAlive() const {
  return fd_ >= 0 && sockets::getBoolOption(fd_, SOL_SOCKET, SO_KEEPALIVE);
}

}  // namespace weft
