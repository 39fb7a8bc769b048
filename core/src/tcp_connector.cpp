#include "tcp_connector.hpp"

#include <cerrno>
#include <utility>

#include "socket_ops.hpp"
#include "stream_transport.hpp"
#include "weft/errors.hpp"

namespace weft {

TcpConnector::TcpConnector(PollerReactor& reactor, std::string host, uint16_t port,
                           ClientFactory& factory, Duration timeout,
                           std::optional<Address> bindAddress)
    : reactor_(reactor),
      host_(std::move(host)),
      port_(port),
      factory_(factory),
      timeout_(timeout),
      bind_(std::move(bindAddress)) {}

TcpConnector::~TcpConnector() {
  if (timeoutCall_.active()) timeoutCall_.cancel();
  if (failCall_.active()) failCall_.cancel();
  closeSocket();
}

void TcpConnector::connect() {
  if (state_ != State::Disconnected) return;
  state_ = State::Connecting;
  ++attempt_;
  reactor_.holdConnector(shared_from_this());
  if (!factoryStarted_) {
    factory_.doStart();
    factoryStarted_ = true;
  }
  factory_.startedConnecting(*this);
  if (state_ != State::Connecting) return;  // stopConnecting() from startedConnecting
  timeoutCall_ = reactor_.callLater(timeout_, [this] {
    fail(Reason{ErrorKind::TimedOut, "connect to " + destination() + " timed out", ETIMEDOUT});
  });
  if (auto addr = Address::parse(host_, port_)) {
    beginConnect(*addr);
    return;
  }
  // getaddrinfo blocks: run it on the thread pool and come back with callFromThread.
  std::weak_ptr<TcpConnector> weakSelf = self();
  uint64_t attempt = attempt_;
  PollerReactor* reactor = &reactor_;
  reactor_.callInThread([reactor, weakSelf, attempt, host = host_, port = port_] {
    std::string error;
    std::optional<Address> addr = sockets::resolve(host, port, error);
    reactor->callFromThread([weakSelf, attempt, addr, error] {
      auto c = weakSelf.lock();
      if (c && c->attempt_ == attempt && c->state_ == State::Connecting) c->resolved(addr, error);
    });
  });
}

void TcpConnector::resolved(std::optional<Address> addr, const std::string& error) {
  if (!addr) {
    fail(Reason{ErrorKind::DnsLookup, "could not resolve " + host_ + ": " + error, 0});
    return;
  }
  beginConnect(*addr);
}

void TcpConnector::beginConnect(const Address& addr) {
  target_ = addr;
  fd_ = sockets::openTcpSocket(addr.family());
  if (fd_ < 0) {
    failSoon(reasonFromErrno(sockets::lastError(), "socket"));
    return;
  }
  if (fd_ >= reactor_.fdLimit()) {
    closeSocket();
    failSoon(Reason{ErrorKind::FdTooLarge,
                    "fd beyond the " + std::string(reactor_.name()) + " reactor's limit of " +
                        std::to_string(reactor_.fdLimit()),
                    0});
    return;
  }
  if (bind_ && sockets::bindTo(fd_, *bind_) != 0) {
    Reason r = reasonFromErrno(sockets::lastError(), "bind " + bind_->toString());
    r.kind = ErrorKind::ConnectError;
    closeSocket();
    failSoon(r);
    return;
  }
  if (int err = sockets::startConnect(fd_, addr); err != 0) {
    Reason r = reasonFromErrno(err, "connect to " + addr.toString());
    if (r.kind == ErrorKind::ConnectionLost) r.kind = ErrorKind::ConnectError;
    closeSocket();
    failSoon(r);
    return;
  }
  // Even an immediate success is reported through writability: never inside connectTCP().
  if (!reactor_.watch(fd_, *this, kWritable)) {
    closeSocket();
    failSoon(Reason{ErrorKind::FdTooLarge, "cannot watch the socket", 0});
  }
}

void TcpConnector::onReady(unsigned events) {
  if (state_ != State::Connecting || fd_ < 0) return;
  int err = sockets::pendingError(fd_);
  if (err == 0) err = errnoOf(events);  // the backend read SO_ERROR before us
  if (err != 0) {
    Reason r = reasonFromErrno(err, "connect to " + target_.toString());
    if (r.kind == ErrorKind::ConnectionLost) r.kind = ErrorKind::ConnectError;
    fail(r);
    return;
  }
  connected();
}

void TcpConnector::connected() {
  if (timeoutCall_.active()) timeoutCall_.cancel();
  reactor_.unwatch(fd_);
  std::unique_ptr<Protocol> protocol;
  try {
    protocol = factory_.buildProtocol(target_);
  } catch (const std::exception& e) {
    fail(Reason{ErrorKind::ConnectError, std::string("buildProtocol threw: ") + e.what(), 0});
    return;
  }
  if (!protocol) {
    fail(Reason{ErrorKind::ConnectError, "buildProtocol returned null", 0});
    return;
  }
  int fd = std::exchange(fd_, -1);
  state_ = State::Connected;
  auto transport = std::make_unique<StreamTransport>(reactor_, fd, std::move(protocol), self());
  transport_ = transport.get();
  reactor_.track(std::move(transport));
  transport_->start();  // fd already passed the limit check in beginConnect
}

void TcpConnector::failSoon(Reason why) {
  // Failures found inside connect() are reported on the next tick, like every other outcome.
  uint64_t attempt = attempt_;
  failCall_ = reactor_.callLater(Duration(0), [this, attempt, why = std::move(why)] {
    if (attempt_ == attempt) fail(why);
  });
}

void TcpConnector::fail(const Reason& why) {
  if (state_ != State::Connecting) return;
  if (timeoutCall_.active()) timeoutCall_.cancel();
  if (failCall_.active()) failCall_.cancel();
  closeSocket();
  ++attempt_;
  state_ = State::Disconnected;
  auto keepAlive = shared_from_this();
  factory_.clientConnectionFailed(*this, why);
  if (state_ == State::Disconnected) {
    factoryStarted_ = false;
    factory_.doStop();
    reactor_.releaseConnector(this);
  }
}

void TcpConnector::connectionLost(const Reason& why) {
  transport_ = nullptr;
  state_ = State::Disconnected;
  auto keepAlive = shared_from_this();
  factory_.clientConnectionLost(*this, why);
  if (state_ == State::Disconnected) {
    factoryStarted_ = false;
    factory_.doStop();
    reactor_.releaseConnector(this);
  }
}

void TcpConnector::stopConnecting() {
  if (state_ != State::Connecting) return;
  fail(Reason{ErrorKind::UserCancelled, "stopConnecting() was called", 0});
}

void TcpConnector::disconnect() {
  if (state_ == State::Connecting)
    stopConnecting();
  else if (state_ == State::Connected && transport_)
    transport_->loseConnection();
}

void TcpConnector::closeSocket() {
  if (fd_ < 0) return;
  reactor_.unwatch(fd_);
  sockets::closeSocket(fd_);
  fd_ = -1;
}

}  // namespace weft
