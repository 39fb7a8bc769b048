// TlsProtocol over OpenSSL memory BIOs: ciphertext from below goes into one BIO, OpenSSL's
// output comes out of the other and is written below. See tls_protocol.hpp for the contract.
#include "weft/tls/tls_protocol.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <utility>

#include "openssl_context.hpp"
#include "openssl_errors.hpp"
#include "weft/errors.hpp"

namespace weft::tls {

namespace {

BIO* bio(void* p) {
  return static_cast<BIO*>(p);
}

// One TLS record's worth of plaintext; each loop thread delivers from its own. Safe to share
// between connections: dataReceived's view is valid only during the call, and a TLS layer
// stacked inside copies its input into its BIO before reading into this buffer again.
thread_local std::array<char, 16 * 1024> plainBuffer;

void cancelIfActive(DelayedCall& call) {
  if (call.active()) call.cancel();
}

}  // namespace

void TlsProtocol::SslFree::operator()(ssl_st* s) const {
  SSL_free(s);
}

TlsProtocol::TlsProtocol(Reactor& reactor, std::unique_ptr<Protocol> inner,
                         std::shared_ptr<const ServerContext> context)
    : reactor_(reactor), inner_(std::move(inner)), serverContext_(std::move(context)) {
  adopt(serverContext_->impl().newSsl());
}

TlsProtocol::TlsProtocol(Reactor& reactor, std::unique_ptr<Protocol> inner,
                         std::shared_ptr<const ClientContext> context, std::string host,
                         uint16_t port)
    : reactor_(reactor),
      inner_(std::move(inner)),
      clientContext_(std::move(context)),
      host_(std::move(host)) {
  const std::string& name = clientContext_->options().serverName;
  sessionKey_ = (name.empty() ? host_ : name) + ":" + std::to_string(port);
  adopt(clientContext_->impl().newSsl(host_, sessionKey_));
}

TlsProtocol::TlsProtocol(Reactor& reactor, std::unique_ptr<Protocol> inner)
    : reactor_(reactor), inner_(std::move(inner)) {}

TlsProtocol::~TlsProtocol() {
  cancelIfActive(closeTimer_);
  cancelIfActive(drainCall_);
}

void TlsProtocol::adopt(ssl_st* ssl) {
  if (!ssl) throw Error(ErrorKind::Internal, "SSL_new: " + detail::takeOpenSslErrors());
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (!in || !out) {
    BIO_free(in);
    BIO_free(out);
    SSL_free(ssl);
    throw Error(ErrorKind::Internal, "BIO_new: out of memory");
  }
  BIO_set_mem_eof_return(in, -1);  // empty means "wait for more", not EOF
  SSL_set_bio(ssl, in, out);       // ssl owns both from here
  rbio_ = in;
  wbio_ = out;
  ssl_.reset(ssl);
}

Duration TlsProtocol::closeTimeout() const {
  if (serverContext_) return serverContext_->options().closeTimeout;
  if (clientContext_) return clientContext_->options().closeTimeout;
  return Duration(5.0);
}

// --- events from below ---

void TlsProtocol::makeConnection(Transport& t) {
  Protocol::transport = &t;
  madeConnection_ = true;
  if (ssl_) pump();  // a client sends its ClientHello now
  if (lost_) return;
  inner_->makeConnection(static_cast<Transport&>(*this));
}

void TlsProtocol::dataReceived(std::string_view data) {
  if (lost_) return;
  if (!ssl_) {
    inner_->dataReceived(data);
    return;
  }
  if (failure_) return;
  BIO_write(bio(rbio_), data.data(), static_cast<int>(data.size()));
  pump();
}

void TlsProtocol::pump() {
  if (lost_ || failure_) return;
  if (!handshakeDone_ && !advanceHandshake()) {
    flushCiphertext();
    if (!failure_ && eofSeen_ && !eofHandled_) {
      eofHandled_ = true;
      handleEof();
    }
    return;
  }
  deliverPlaintext();
  flushCiphertext();
  if (!lost_ && !failure_ && eofSeen_ && !eofHandled_ && (!paused_ || disconnecting())) {
    eofHandled_ = true;
    handleEof();
  }
}

bool TlsProtocol::advanceHandshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) {
    onHandshakeDone();
    return !lost_ && !failure_;
  }
  int e = SSL_get_error(ssl_.get(), r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return false;
  std::string why = detail::handshakeFailureText(ssl_.get());
  flushCiphertext();  // the alert telling the peer why
  fail(ErrorKind::TlsHandshakeFailed, "TLS handshake failed: " + why);
  return false;
}

void TlsProtocol::onHandshakeDone() {
  handshakeDone_ = true;
  if (!pendingPlain_.empty() && !corked_) {
    std::string queued = std::exchange(pendingPlain_, {});
    encrypt(queued);
  }
  auto callbacks = std::exchange(onHandshake_, {});
  for (auto& fn : callbacks) {
    if (lost_) break;
    fn();
  }
  maybeSendCloseNotify();  // a close asked for during the handshake
}

void TlsProtocol::deliverPlaintext() {
  corked_ = true;
  // Reading goes on while closing (to find the peer's close_notify), delivering does not.
  while (!lost_ && !failure_ && !belowClosing_ && !peerCloseNotify_ &&
         (!paused_ || disconnecting())) {
    ERR_clear_error();
    size_t n = 0;
    if (SSL_read_ex(ssl_.get(), plainBuffer.data(), plainBuffer.size(), &n) == 1) {
      if (!disconnecting()) inner_->dataReceived(std::string_view(plainBuffer.data(), n));
      continue;
    }
    int e = SSL_get_error(ssl_.get(), 0);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    corked_ = false;
    if (e == SSL_ERROR_ZERO_RETURN) {
      if (!pendingPlain_.empty()) encrypt(std::exchange(pendingPlain_, {}));
      onPeerCloseNotify();
      return;
    }
    // A bad record, a refused renegotiation, an alert from the peer.
    fail(ErrorKind::TlsError, "TLS error: " + detail::takeOpenSslErrors());
    return;
  }
  corked_ = false;
  if (!pendingPlain_.empty() && handshakeDone_ && !lost_ && !failure_)
    encrypt(std::exchange(pendingPlain_, {}));
}

void TlsProtocol::encrypt(std::string_view plain) {
  if (plain.empty() || failure_ || lost_) return;
  ERR_clear_error();
  size_t written = 0;
  if (SSL_write_ex(ssl_.get(), plain.data(), plain.size(), &written) != 1) {
    fail(ErrorKind::TlsError, "TLS write failed: " + detail::takeOpenSslErrors());
    return;
  }
  flushCiphertext();
}

void TlsProtocol::flushCiphertext() {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio(wbio_), &data);
  if (n <= 0) return;
  // The transport below copies what it cannot send at once; then the BIO is emptied.
  below().write(std::string_view(data, static_cast<size_t>(n)));
  (void)BIO_reset(bio(wbio_));
}

void TlsProtocol::readConnectionLost() {
  if (lost_) return;
  if (!ssl_) {
    if (inner_->halfCloseable()) {
      inner_->readConnectionLost();
    } else {
      loseConnection();  // as a TCP transport does: flush what is queued, then close
    }
    return;
  }
  eofSeen_ = true;
  pump();  // anything still buffered first; then handleEof()
}

void TlsProtocol::handleEof() {
  if (peerCloseNotify_ || (loseRequested_ && closeNotifySent_)) {
    // The end was agreed (or we were closing anyway): a clean close.
    if (closeNotifySent_ || loseRequested_) closeBelow();
    return;
  }
  if (!handshakeDone_) {
    fail(ErrorKind::TlsHandshakeFailed,
         "TLS handshake failed: the peer closed the connection during the handshake");
  } else {
    fail(ErrorKind::TlsTruncated,
         "the peer closed the connection without a TLS close_notify (data may be truncated)");
  }
}

void TlsProtocol::writeConnectionLost() {
  if (!lost_ && inner_->halfCloseable()) inner_->writeConnectionLost();
}

void TlsProtocol::connectionLost(const Reason& reason) {
  if (lost_) return;
  lost_ = true;
  markDisconnecting();
  cancelIfActive(closeTimer_);
  cancelIfActive(drainCall_);
  producer_ = nullptr;
  pendingPlain_.clear();
  onHandshake_.clear();
  inner_->connectionLost(failure_ ? *failure_ : reason);
}

void TlsProtocol::onPeerCloseNotify() {
  peerCloseNotify_ = true;
  if (loseRequested_) {
    if (closeNotifySent_) closeBelow();
    return;
  }
  if (inner_->halfCloseable()) {
    inner_->readConnectionLost();
    if (!lost_ && closeNotifySent_) closeBelow();  // both directions are now closed
    return;
  }
  // Not half-closeable: answer with our close_notify (after what is queued) and end cleanly.
  loseConnection();
}

void TlsProtocol::fail(ErrorKind kind, std::string message) {
  if (failure_ || lost_) return;
  failure_ = Reason{kind, std::move(message), 0};
  markDisconnecting();
  pendingPlain_.clear();
  closeBelow();
}

void TlsProtocol::closeBelow() {
  if (belowClosing_ || lost_) return;
  belowClosing_ = true;
  cancelIfActive(closeTimer_);
  if (producer_) {
    // The transport below would wait for the producer to unregister before closing.
    PushProducer* p = std::exchange(producer_, nullptr);
    below().unregisterProducer();
    p->stopProducing();
  }
  below().loseConnection();
}

void TlsProtocol::scheduleDrain() {
  if (drainCall_.active()) return;
  drainCall_ = reactor_.callLater(Duration(0), [this] { pump(); });
}

// --- Transport: calls from the protocol above ---

void TlsProtocol::write(std::string_view data) {
  if (disconnecting() || writeShutRequested_ || data.empty()) return;
  if (!ssl_) {
    below().write(data);
    return;
  }
  if (!handshakeDone_ || corked_) {
    pendingPlain_.append(data);
    return;
  }
  encrypt(data);
}

void TlsProtocol::writeSequence(std::span<const std::string_view> parts) {
  if (disconnecting() || writeShutRequested_) return;
  if (!ssl_) {
    below().writeSequence(parts);
    return;
  }
  // One record for the whole sequence (prefix + payload), not one per part.
  for (auto part : parts) pendingPlain_.append(part);
  if (handshakeDone_ && !corked_) encrypt(std::exchange(pendingPlain_, {}));
}

void TlsProtocol::loseConnection() {
  if (disconnecting()) return;
  markDisconnecting();
  if (!ssl_) {
    below().loseConnection();
    return;
  }
  loseRequested_ = true;
  if (paused_) below().resumeProducing();  // the peer's close_notify must still be read
  closeTimer_ = reactor_.callLater(closeTimeout(), [this] { closeBelow(); });
  maybeSendCloseNotify();
}

void TlsProtocol::loseWriteConnection() {
  if (disconnecting() || writeShutRequested_) return;
  writeShutRequested_ = true;
  if (!ssl_) {
    below().loseWriteConnection();
    return;
  }
  maybeSendCloseNotify();
}

void TlsProtocol::maybeSendCloseNotify() {
  if (!ssl_ || lost_ || failure_ || belowClosing_ || closeNotifySent_ || !handshakeDone_) return;
  if (!(loseRequested_ || writeShutRequested_) || producer_) return;
  if (!pendingPlain_.empty()) encrypt(std::exchange(pendingPlain_, {}));
  if (failure_ || lost_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
  closeNotifySent_ = true;
  flushCiphertext();
  if (loseRequested_) {
    if (peerCloseNotify_) closeBelow();  // else wait for it (or EOF, or closeTimer_)
  } else {
    below().loseWriteConnection();  // half-close: close_notify, then FIN; reading goes on
  }
}

void TlsProtocol::abortConnection() {
  if (lost_) return;
  markDisconnecting();
  pendingPlain_.clear();
  cancelIfActive(closeTimer_);
  cancelIfActive(drainCall_);
  belowClosing_ = true;
  producer_ = nullptr;  // below stops it
  below().abortConnection();
}

Address TlsProtocol::getPeer() const {
  return Protocol::transport ? below().getPeer() : Address{};
}
Address TlsProtocol::getHost() const {
  return Protocol::transport ? below().getHost() : Address{};
}

void TlsProtocol::registerProducer(PushProducer& producer) {
  if (producer_) throw Error(ErrorKind::InvalidArgument, "a producer is already registered");
  if (lost_) {
    producer.stopProducing();
    return;
  }
  // Water marks act on the ciphertext buffered below: that is what grows if the peer is slow.
  producer_ = &producer;
  below().registerProducer(producer);
}

void TlsProtocol::unregisterProducer() {
  if (!producer_) return;
  producer_ = nullptr;
  if (lost_) return;
  below().unregisterProducer();
  maybeSendCloseNotify();  // a loseConnection() waiting for the producer may now go on
}

void TlsProtocol::setWaterMarks(WaterMarks marks) {
  below().setWaterMarks(marks);
}
void TlsProtocol::setReadBackpressure(bool on) {
  below().setReadBackpressure(on);
}
size_t TlsProtocol::bufferedBytes() const {
  return (lost_ ? 0 : below().bufferedBytes()) + pendingPlain_.size();
}
void TlsProtocol::setTcpNoDelay(bool on) {
  below().setTcpNoDelay(on);
}
bool TlsProtocol::getTcpNoDelay() const {
  return below().getTcpNoDelay();
}
void TlsProtocol::setTcpKeepAlive(bool on) {
  below().setTcpKeepAlive(on);
}
bool TlsProtocol::getTcpKeepAlive() const {
  return below().getTcpKeepAlive();
}
bool TlsProtocol::connected() const {
  return !lost_ && Protocol::transport && below().connected();
}

void TlsProtocol::pauseProducing() {
  paused_ = true;
  below().pauseProducing();
}

void TlsProtocol::resumeProducing() {
  if (disconnecting()) return;
  paused_ = false;
  below().resumeProducing();
  // Records already decrypted-ready in the BIO arrive without another read below.
  if (ssl_) scheduleDrain();
}

void TlsProtocol::stopProducing() {
  loseConnection();
}

// --- TlsTransport ---

void TlsProtocol::whenHandshakeDone(std::function<void()> fn) {
  if (handshakeDone_) {
    fn();
    return;
  }
  if (!lost_) onHandshake_.push_back(std::move(fn));
}

std::string TlsProtocol::protocolVersion() const {
  return ssl_ && handshakeDone_ ? SSL_get_version(ssl_.get()) : "";
}

std::string TlsProtocol::negotiatedProtocol() const {
  if (!ssl_) return {};
  const unsigned char* p = nullptr;
  unsigned int n = 0;
  SSL_get0_alpn_selected(ssl_.get(), &p, &n);
  return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

bool TlsProtocol::sessionReused() const {
  return ssl_ && SSL_session_reused(ssl_.get()) == 1;
}

std::string TlsProtocol::serverName() const {
  const char* name = ssl_ ? SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name) : nullptr;
  return name ? name : "";
}

std::string TlsProtocol::peerCertificateSubject() const {
  if (!ssl_) return {};
  X509* cert = SSL_get1_peer_certificate(ssl_.get());
  if (!cert) return {};
  std::array<char, 512> buf{};
  X509_NAME_oneline(X509_get_subject_name(cert), buf.data(), static_cast<int>(buf.size()));
  X509_free(cert);
  return buf.data();
}

void TlsProtocol::startTLS(std::shared_ptr<const ServerContext> context) {
  if (ssl_) throw Error(ErrorKind::InvalidArgument, "startTLS: TLS has already started");
  if (disconnecting()) throw Error(ErrorKind::InvalidArgument, "startTLS: connection is closing");
  serverContext_ = std::move(context);
  adopt(serverContext_->impl().newSsl());
}

void TlsProtocol::startTLS(std::shared_ptr<const ClientContext> context, std::string name) {
  if (ssl_) throw Error(ErrorKind::InvalidArgument, "startTLS: TLS has already started");
  if (disconnecting()) throw Error(ErrorKind::InvalidArgument, "startTLS: connection is closing");
  clientContext_ = std::move(context);
  const Address peer = getPeer();
  host_ = name.empty() ? peer.host() : std::move(name);
  const std::string& configured = clientContext_->options().serverName;
  sessionKey_ = (configured.empty() ? host_ : configured) + ":" + std::to_string(peer.port());
  adopt(clientContext_->impl().newSsl(host_, sessionKey_));
  if (madeConnection_) pump();  // ClientHello now
}

}  // namespace weft::tls
