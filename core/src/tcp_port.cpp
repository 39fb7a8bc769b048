#include "tcp_port.hpp"

#include <cerrno>
#include <string>

#include "socket_ops.hpp"
#include "stream_transport.hpp"
#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft {
namespace {

Address resolveInterface(std::string_view interface, uint16_t port) {
  if (interface.empty()) interface = "0.0.0.0";
  if (auto a = Address::parse(interface, port)) return *a;
  std::string host(interface), error;
  auto a = sockets::resolve(host, port, error);
  if (!a) throw Error(ErrorKind::CannotListen, "cannot resolve interface '" + host + "'");
  return *a;
}

// Log the first few occurrences, then every 1000th: a flood of refusals must not become a
// flood of log lines.
bool worthLogging(uint64_t count) {
  return count <= 3 || count % 1000 == 0;
}

}  // namespace

std::shared_ptr<TcpPort> TcpPort::open(PollerReactor& reactor, uint16_t port, Factory& factory,
                                       int backlog, std::string_view interface) {
  Address addr = resolveInterface(interface, port);
  auto cannot = [&](const char* what) {
    int err = sockets::lastError();
    Reason r = reasonFromErrno(err, std::string(what) + " " + addr.toString());
    r.kind = ErrorKind::CannotListen;
    return Error(r);
  };
  int fd = sockets::openTcpSocket(addr.family());
  if (fd < 0) throw cannot("socket");
  if (sockets::listenOn(fd, addr, backlog) != 0) {
    Error e = cannot("listen on");
    sockets::closeSocket(fd);
    throw e;
  }
  auto p = std::make_shared<TcpPort>(reactor, fd, factory);
  if (!reactor.watch(fd, *p, kReadable)) {
    throw Error(ErrorKind::FdTooLarge, "listening socket fd beyond the reactor's limit");
  }
  factory.doStart();
  reactor.trackPort(p);
  return p;
}

TcpPort::TcpPort(PollerReactor& reactor, int fd, Factory& factory)
    : reactor_(reactor), fd_(fd), factory_(factory), host_(sockets::localAddress(fd)) {}

TcpPort::~TcpPort() {
  if (resumeCall_.active()) resumeCall_.cancel();
  if (fd_ >= 0) {
    reactor_.unwatch(fd_);
    sockets::closeSocket(fd_);
  }
}

void TcpPort::stopListening() {
  if (fd_ < 0) return;
  if (resumeCall_.active()) resumeCall_.cancel();
  reactor_.unwatch(fd_);
  sockets::closeSocket(fd_);
  fd_ = -1;
  factory_.doStop();
  reactor_.untrackPort(this);  // may release the last reference: touch nothing after this
}

void TcpPort::onReady(unsigned) {
  int accepted_count = 0;
  while (fd_ >= 0 && accepted_count < acceptBatch_) {
    Address peer;
    int fd = sockets::acceptNonBlocking(fd_, &peer);
    if (fd < 0) {
      int err = sockets::lastError();
      if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        onFdExhaustion(err);
      } else if (!sockets::wouldBlock(err)) {
        log(LogLevel::Error, reasonFromErrno(err, "accept").describe());
      }
      break;
    }
    ++accepted_count;
    accepted(fd, peer);
  }
  acceptBatch_ = accepted_count == acceptBatch_ ? acceptBatch_ + 20 : std::max(1, accepted_count);
}

void TcpPort::accepted(int fd, const Address& peer) {
  if (fd >= reactor_.fdLimit()) {
    // select(2) cannot watch it: refuse this one connection, keep serving everyone else
    // (Twisted #11553 kills the server instead).
    sockets::closeSocket(fd);
    if (worthLogging(++refusedFdTooLarge_)) {
      log(LogLevel::Error, Reason{ErrorKind::FdTooLarge,
                                  "refused " + peer.toString() + ": fd " + std::to_string(fd) +
                                      " is beyond the " + std::string(reactor_.name()) +
                                      " reactor's limit of " + std::to_string(reactor_.fdLimit()) +
                                      " (" + std::to_string(refusedFdTooLarge_) + " so far)",
                                  0}
                               .describe());
    }
    return;
  }
  std::unique_ptr<Protocol> protocol;
  try {
    protocol = factory_.buildProtocol(peer);
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("buildProtocol threw: ") + e.what());
  }
  if (!protocol) {
    sockets::closeSocket(fd);
    return;
  }
  auto transport = std::make_unique<StreamTransport>(reactor_, fd, std::move(protocol), nullptr);
  auto* raw = transport.get();
  reactor_.track(std::move(transport));
  if (!raw->start()) raw->forceClose();
}

void TcpPort::onFdExhaustion(int err) {
  if (worthLogging(++refusedEmfile_)) {
    Reason r = reasonFromErrno(err, "accept on " + host_.toString());
    log(LogLevel::Error, r.describe() + ": refusing connections until descriptors free up (" +
                             std::to_string(refusedEmfile_) + " so far)");
  }
  // Free the reserve fd, accept the pending connection and close it at once: the client sees
  // a clean refusal instead of hanging in the backlog, and the level-triggered readiness is
  // consumed, so this is no busy loop.
  if (reactor_.releaseReserveFd()) {
    int fd = sockets::acceptNonBlocking(fd_, nullptr);
    if (fd >= 0) sockets::closeSocket(fd);
    reactor_.restoreReserveFd();
    return;
  }
  // No reserve to spend: stop watching for a moment instead of spinning.
  reactor_.setInterest(fd_, kNone);
  resumeCall_ = reactor_.callLater(Duration(0.1), [this] {
    if (fd_ >= 0) reactor_.setInterest(fd_, kReadable);
  });
}

}  // namespace weft
