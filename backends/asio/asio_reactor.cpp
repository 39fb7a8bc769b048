// Boost.Asio backend: a completion backend. The Reactor owns an io_context and runs one
// handler per waitForEvents (core's tick runs timers and thread calls in between); TCP is
// AsioTransport plus the acceptor and connector below. Only portable Asio calls: on Windows
// the same code runs on IOCP.
#include "asio/asio_reactor.hpp"

#include "asio/asio_batch.hpp"  // first: includes <utility> before any Asio header
#include "asio/asio_transport.hpp"

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include <chrono>
#include <csignal>
#include <exception>
#include <optional>
#include <string>

#include "weft/detail/native_timer_deadline.hpp"
#include "weft/errors.hpp"
#include "weft/log.hpp"

namespace weft {
namespace asio_backend {
namespace {

class AsioReactor final : public ReactorBackend, private BatchOwner {
 public:
  AsioReactor() = default;
  ~AsioReactor() override {
    releaseAll();
#ifndef _WIN32
    if (reserveFd_ >= 0) ::close(reserveFd_);
#endif
    // The base destructor would only run its own (POSIX) uninstall.
    AsioReactor::uninstallSignalHandlers();
  }

  std::string_view name() const override {
    return "asio";
  }
#ifndef _WIN32
  // One spare descriptor per reactor (as in core): closed while `use` runs, then reopened.
  template <class F>
  bool spendReserveFd(F&& use) {
    if (reserveFd_ < 0) return false;
    ::close(reserveFd_);
    bool ok = use();
    reserveFd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return ok && reserveFd_ >= 0;
  }
#endif
  std::shared_ptr<ListeningPort> listenTCP(uint16_t port, Factory& factory, int backlog,
                                           std::string_view interface) override;
  std::shared_ptr<Connector> connectTCP(std::string_view host, uint16_t port,
                                        ClientFactory& factory, Duration timeout,
                                        std::optional<Address> bindAddress) override;
  using Reactor::connectTCP;
  using Reactor::listenTCP;

  net::io_context& io() {
    return io_;
  }
  Batch& batch() {
    return batch_;
  }
  DeferredReads& deferredReads() {
    return deferredReads_;
  }

  void installSignalHandlers() override {
    if (signals_) return;
    signals_.emplace(io_, SIGINT, SIGTERM);
    waitForSignal();
  }
  void uninstallSignalHandlers() override {
    if (!signals_) return;
    ErrorCode ec;
    signals_->cancel(ec);
    signals_.reset();
  }

 protected:
  // run(): Asio's own loop drives, as in a server written on Asio, and core's tick runs at the
  // end of every batch (batchEnded). One io_context::run() call lasts until the reactor exits,
  // where a waitForEvents() per batch would cost a run_one(), a run(), a stop() and a restart()
  // (each takes the scheduler's lock): at one connection, that is per message.
  void runLoop() override {
    if (!tick()) return;
    inRunLoop_ = true;
    armTimer(timeout());
    while (!loopShouldExit()) {
      runHandlers([this] { io_.run(); });
      io_.restart();
    }
    inRunLoop_ = false;
    disarmTimer();
  }
  void exitLoop() override {
    if (inRunLoop_) io_.stop();
  }

  // iterate(): one batch, the first handler waiting at most `timeout`.
  void waitForEvents(std::optional<Duration> timeout) override {
    size_t ran = 0;
    runHandlers([&] {
      if (!timeout)
        ran = io_.run_one();
      else if (timeout->count() <= 0)
        ran = io_.poll_one();
      else
        ran = io_.run_one_for(roundUpTimeout<std::chrono::microseconds>(*timeout));
      // Then the rest of the batch, up to its marker (which stops the run).
      if (ran > 0 && !loopShouldExit()) {
        batch_.open();  // every handler opens it; in case one did not
        io_.run();
        io_.restart();
      }
    });
    // stopped() takes the scheduler's mutex: asked only when nothing ran, not per handler.
    if (ran == 0 && io_.stopped()) io_.restart();
  }
  // asio::post is thread-safe; the handler runs on the loop thread and opens a batch, whose
  // end runs core's tick (the thread calls, or the stop, that woke us).
  void wakeUp() override {
    net::post(io_, [this] { batch_.open(); });
  }
  int signalWakeFd() const override {
    return -1;
  }

 private:
  void batchEnded() override {
    // After every completion that was ready; a read that completes at once is queued behind
    // the marker, for the next batch.
    deferredReads_.startAll();
    if (!inRunLoop_) {
      io_.stop();  // waitForEvents: one batch per call
      return;
    }
    if (tick()) armTimer(timeout());  // else exitLoop() has stopped the run
  }

  template <class F>
  void runHandlers(F&& run) {
    try {
      // Left by a batch that ended without its marker (the loop was exiting).
      if (!deferredReads_.empty()) deferredReads_.startAll();
      run();
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("exception escaped an Asio handler: ") + e.what());
    }
  }

  // Core's next deadline, while run() drives. Armed at the end of every batch, after the tick:
  // all loop-thread code runs in a handler, so a callLater() is always followed by a batch end
  // (no deadlineChanged() hook needed). Usually the armed timer is kept (NativeTimerDeadline).
  void armTimer(std::optional<Duration> timeout) {
    if (!deadline_.needsArming(timeout)) return;
    timer_.expires_at(deadline_.deadline());  // a wait in flight completes as aborted
    timer_.async_wait([this](const ErrorCode& ec) {
      if (ec == net::error::operation_aborted) return;
      deadline_.disarmed();
      batch_.open();
    });
  }
  void disarmTimer() {
    deadline_.disarmed();
    timer_.cancel();
  }

  void waitForSignal() {
    signals_->async_wait([this](const ErrorCode& ec, int sig) {
      if (ec || !signals_) return;
      batch_.open();
      stopFromSignal(sig);
      waitForSignal();
    });
  }

  // Declared before io_: the marker's memory outlives the io_context that may still hold it.
  Batch batch_{io_, *this};
  // Destroyed after every member but the batch: sockets, acceptors and timers still alive in
  // its handlers go with it.
  // The hint: one thread runs it (as hint 1), and socket operations are never started or
  // performed off that thread, so Asio drops the per-socket mutex it takes on every
  // operation and every readiness event. The scheduler and registration (timers) keep their
  // locks: callFromThread, wakeUp and the resolver's thread post from other threads.
  net::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  // Keeps run() and run_one() blocking while nothing is in flight (an idle reactor with no
  // connections).
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  std::optional<net::signal_set> signals_;
  net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Executor> timer_{io_};
  detail::NativeTimerDeadline deadline_;
  bool inRunLoop_ = false;
  // After io_: the transports' Io blocks it holds close their sockets while io_ still exists.
  DeferredReads deferredReads_;
#ifndef _WIN32
  int reserveFd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
#endif
};

// Log the first few occurrences, then every 1000th.
bool worthLogging(uint64_t count) {
  return count <= 3 || count % 1000 == 0;
}

class AsioPort final : public ListeningPort, public std::enable_shared_from_this<AsioPort> {
 public:
  AsioPort(AsioReactor& reactor, Acceptor acceptor, Factory& factory)
      : reactor_(reactor),
        acceptor_(std::move(acceptor)),
        factory_(factory),
        host_(toAddress(acceptor_.local_endpoint())) {}
  ~AsioPort() override {
    if (retryCall_.active()) retryCall_.cancel();
  }

  void stopListening() override {
    if (!acceptor_.is_open()) return;
    if (retryCall_.active()) retryCall_.cancel();
    ErrorCode ec;
    acceptor_.close(ec);  // now, so the port can be bound again at once
    factory_.doStop();
    reactor_.untrackPort(this);  // an accept in flight keeps us alive until it is cancelled
  }
  Address getHost() const override { return host_; }
  bool listening() const override { return acceptor_.is_open(); }

  void acceptNext() {
    acceptor_.async_accept([self = shared_from_this()](const ErrorCode& ec, Socket s) {
      self->reactor_.batch().open();
      self->onAccept(ec, std::move(s));
    });
  }

 private:
  void onAccept(const ErrorCode& ec, Socket socket) {
    if (!acceptor_.is_open() || ec == net::error::operation_aborted) return;
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory) {
      if (worthLogging(++refusedEmfile_))
        log(LogLevel::Error, reasonFromError(ec, "accept on " + host_.toString()).describe() +
                                 " (" + std::to_string(refusedEmfile_) + " so far)");
      if (refuseOnePending()) {
        acceptNext();
        return;
      }
      // No descriptor to spend: leave the connection in the backlog and retry shortly instead
      // of spinning on the error.
      retryCall_ = reactor_.callLater(Duration(0.1), [this] {
        if (acceptor_.is_open()) acceptNext();
      });
      return;
    }
    if (!ec) accepted(std::move(socket));
    if (acceptor_.is_open()) acceptNext();
  }

  // Core's reserve-fd trick (POSIX): give up a spare descriptor, accept the pending connection
  // and close it at once, so the client sees a refusal instead of hanging in the backlog.
  bool refuseOnePending() {
#ifdef _WIN32
    return false;  // Winsock has no per-process descriptor table to run out of
#else
    return reactor_.spendReserveFd([this] {
      int fd = ::accept(acceptor_.native_handle(), nullptr, nullptr);
      if (fd >= 0) ::close(fd);
      return fd >= 0;
    });
#endif
  }

  void accepted(Socket socket) {
    ErrorCode ec;
    auto peer = socket.remote_endpoint(ec);
    if (ec) return;  // reset before we got to it
    std::unique_ptr<Protocol> protocol;
    try {
      protocol = factory_.buildProtocol(toAddress(peer));
    } catch (const std::exception& e) {
      log(LogLevel::Error, std::string("buildProtocol threw: ") + e.what());
    }
    if (!protocol) return;  // the socket closes as it goes out of scope
    auto transport =
        std::make_unique<AsioTransport>(reactor_, reactor_.batch(), reactor_.deferredReads(),
                                        std::move(socket), std::move(protocol), nullptr);
    auto* raw = transport.get();
    reactor_.track(std::move(transport));
    raw->start();
  }

  AsioReactor& reactor_;
  Acceptor acceptor_;
  Factory& factory_;
  Address host_;
  uint64_t refusedEmfile_ = 0;
  DelayedCall retryCall_;
};

class AsioConnector final : public Connector, public ConnectionOwner {
 public:
  AsioConnector(AsioReactor& reactor, std::string host, uint16_t port, ClientFactory& factory,
                Duration timeout, std::optional<Address> bindAddress)
      : reactor_(reactor),
        host_(std::move(host)),
        port_(port),
        factory_(factory),
        timeout_(timeout),
        bind_(std::move(bindAddress)),
        resolver_(reactor.io()) {}
  ~AsioConnector() override {
    if (timeoutCall_.active()) timeoutCall_.cancel();
    if (failCall_.active()) failCall_.cancel();
  }

  void connect() override {
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
      fail(Reason{ErrorKind::TimedOut, "connect to " + destination() + " timed out", 0});
    });
    ErrorCode ec;
    auto literal = net::ip::make_address(host_, ec);
    if (!ec) {
      beginConnect(tcp::endpoint(literal, port_));
      return;
    }
    // Asio resolves on its own background thread: the loop never blocks in getaddrinfo.
    resolver_.async_resolve(host_, std::to_string(port_),
                            [self = self(), attempt = attempt_](
                                const ErrorCode& ec, tcp::resolver::results_type results) {
                              self->reactor_.batch().open();
                              if (self->attempt_ != attempt || self->state_ != State::Connecting)
                                return;
                              if (ec || results.empty()) {
                                self->fail(Reason{ErrorKind::DnsLookup,
                                                  "could not resolve " + self->host_ + ": " +
                                                      (ec ? ec.message() : "no address"),
                                                  ec.value()});
                                return;
                              }
                              self->beginConnect(results.begin()->endpoint());
                            });
  }

  void stopConnecting() override {
    if (state_ != State::Connecting) return;
    fail(Reason{ErrorKind::UserCancelled, "stopConnecting() was called", 0});
  }
  void disconnect() override {
    if (state_ == State::Connecting)
      stopConnecting();
    else if (state_ == State::Connected && transport_)
      transport_->loseConnection();
  }
  State state() const override { return state_; }
  std::string destination() const override { return host_ + ":" + std::to_string(port_); }
  Reactor& reactor() override { return reactor_; }

  void connectionLost(const Reason& why) override {
    transport_ = nullptr;
    state_ = State::Disconnected;
    auto keepAlive = shared_from_this();
    factory_.clientConnectionLost(*this, why);
    finishIfIdle();
  }

 private:
  std::shared_ptr<AsioConnector> self() {
    return std::static_pointer_cast<AsioConnector>(shared_from_this());
  }

  void beginConnect(const tcp::endpoint& target) {
    target_ = target;
    socket_.emplace(reactor_.io());
    ErrorCode ec;
    socket_->open(target.protocol(), ec);
    if (!ec && bind_) {
      socket_->bind(tcp::endpoint(net::ip::make_address(bind_->host(), ec), bind_->port()), ec);
      if (ec) {
        Reason r = reasonFromError(ec, "bind " + bind_->toString());
        r.kind = ErrorKind::ConnectError;
        failSoon(r);
        return;
      }
    }
    if (ec) {
      failSoon(reasonFromError(ec, "socket"));
      return;
    }
    // Even an immediate success is reported from the loop, never inside connectTCP().
    socket_->async_connect(target, [self = self(), attempt = attempt_](const ErrorCode& ec) {
      self->reactor_.batch().open();
      if (self->attempt_ != attempt || self->state_ != State::Connecting) return;
      if (ec) {
        Reason r = reasonFromError(ec, "connect to " + toAddress(self->target_).toString());
        if (r.kind == ErrorKind::ConnectionLost) r.kind = ErrorKind::ConnectError;
        self->fail(r);
        return;
      }
      self->connected();
    });
  }

  void connected() {
    if (timeoutCall_.active()) timeoutCall_.cancel();
    std::unique_ptr<Protocol> protocol;
    try {
      protocol = factory_.buildProtocol(toAddress(target_));
    } catch (const std::exception& e) {
      fail(Reason{ErrorKind::ConnectError, std::string("buildProtocol threw: ") + e.what(), 0});
      return;
    }
    if (!protocol) {
      fail(Reason{ErrorKind::ConnectError, "buildProtocol returned null", 0});
      return;
    }
    state_ = State::Connected;
    auto transport =
        std::make_unique<AsioTransport>(reactor_, reactor_.batch(), reactor_.deferredReads(),
                                        std::move(*socket_), std::move(protocol), self());
    socket_.reset();
    transport_ = transport.get();
    reactor_.track(std::move(transport));
    transport_->start();
  }

  void failSoon(Reason why) {
    // Failures found inside connect() are reported on the next tick, like every other outcome.
    failCall_ = reactor_.callLater(Duration(0), [this, attempt = attempt_, why = std::move(why)] {
      if (attempt_ == attempt) fail(why);
    });
  }

  void fail(const Reason& why) {
    if (state_ != State::Connecting) return;
    if (timeoutCall_.active()) timeoutCall_.cancel();
    if (failCall_.active()) failCall_.cancel();
    resolver_.cancel();
    socket_.reset();  // cancels a connect in flight; its handler sees a stale attempt
    ++attempt_;
    state_ = State::Disconnected;
    auto keepAlive = shared_from_this();
    factory_.clientConnectionFailed(*this, why);
    finishIfIdle();
  }

  // Unless the factory reconnected from its callback, this connector's work is over.
  void finishIfIdle() {
    if (state_ != State::Disconnected) return;
    factoryStarted_ = false;
    factory_.doStop();
    reactor_.releaseConnector(this);
  }

  AsioReactor& reactor_;
  std::string host_;
  uint16_t port_;
  ClientFactory& factory_;
  Duration timeout_;
  std::optional<Address> bind_;
  State state_ = State::Disconnected;
  uint64_t attempt_ = 0;  // invalidates resolutions and completions of old attempts
  bool factoryStarted_ = false;
  DelayedCall timeoutCall_;
  DelayedCall failCall_;
  tcp::resolver resolver_;
  std::optional<Socket> socket_;
  tcp::endpoint target_;
  AsioTransport* transport_ = nullptr;  // owned by the reactor while connected
};

std::shared_ptr<ListeningPort> AsioReactor::listenTCP(uint16_t port, Factory& factory, int backlog,
                                                      std::string_view interface) {
  std::string host(interface.empty() ? "0.0.0.0" : interface);
  ErrorCode ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty())
      throw Error(ErrorKind::CannotListen, "cannot resolve interface '" + host + "'");
    address = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(address, port);
  Acceptor acceptor(io_);
  auto check = [&](const char* what) {
    if (!ec) return;
    Reason r = reasonFromError(ec, std::string(what) + " " + toAddress(endpoint).toString());
    r.kind = ErrorKind::CannotListen;
    throw Error(r);
  };
  acceptor.open(endpoint.protocol(), ec);
  check("socket");
#if !defined(_WIN32)
  // On Windows SO_REUSEADDR would let a second server steal a port in use.
  acceptor.set_option(Acceptor::reuse_address(true), ec);
#endif
  if (address.is_v6()) acceptor.set_option(net::ip::v6_only(true), ec);
  acceptor.bind(endpoint, ec);
  check("listen on");
  acceptor.listen(backlog, ec);
  check("listen on");
  auto p = std::make_shared<AsioPort>(*this, std::move(acceptor), factory);
  factory.doStart();
  trackPort(p);
  p->acceptNext();
  return p;
}

std::shared_ptr<Connector> AsioReactor::connectTCP(std::string_view host, uint16_t port,
                                                   ClientFactory& factory, Duration timeout,
                                                   std::optional<Address> bindAddress) {
  auto c = std::make_shared<AsioConnector>(*this, std::string(host), port, factory, timeout,
                                           std::move(bindAddress));
  c->connect();
  return c;
}

}  // namespace
}  // namespace asio_backend

std::unique_ptr<Reactor> makeAsioReactor() {
  return std::make_unique<asio_backend::AsioReactor>();
}

}  // namespace weft
