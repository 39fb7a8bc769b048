// TlsProtocol: TLS as a protocol between any Transport and any Protocol, over OpenSSL memory
// BIOs (Twisted's TLSMemoryBIOProtocol, libevent's bufferevent_openssl filter). The transport
// below carries ciphertext and knows nothing of TLS, so every reactor gets TLS through this
// one code path. The application's protocol sees this object as its transport.
//
// Semantics (each has a test in tests/conformance/tls_test.cpp):
// - connectionMade runs at once (as in Twisted); writes before the handshake ends are queued.
// - loseConnection: queued writes are sent, then close_notify; the socket closes when the
//   peer's close_notify (or EOF) arrives, or after CommonOptions::closeTimeout.
// - The peer's close_notify ends the connection cleanly (ConnectionDone); with a
//   half-closeable protocol it is readConnectionLost instead, and writing may go on.
// - EOF without close_notify: connectionLost(TlsTruncated).
// - A failed handshake: connectionLost(TlsHandshakeFailed, OpenSSL's reason and the
//   certificate verification result); the alert is sent and only this connection closes.
// - Flow control passes through: producers and water marks act on the ciphertext buffer
//   below, and pausing stops reading below (records already decrypted wait too).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "weft/delayed_call.hpp"
#include "weft/protocol.hpp"
#include "weft/reactor.hpp"
#include "weft/tls/context.hpp"
#include "weft/tls/tls_transport.hpp"

struct ssl_st;  // OpenSSL's SSL, kept out of this header

namespace weft::tls {

class TlsProtocol final : public Protocol, public TlsTransport {
 public:
  // Server side: TLS from the first byte.
  TlsProtocol(Reactor& reactor, std::unique_ptr<Protocol> inner,
              std::shared_ptr<const ServerContext> context);
  // Client side: `host` is the name for SNI and certificate checks (unless the context sets
  // serverName), `port` keys the session cache.
  TlsProtocol(Reactor& reactor, std::unique_ptr<Protocol> inner,
              std::shared_ptr<const ClientContext> context, std::string host, uint16_t port);
  // Plaintext until startTLS() (STARTTLS-style protocols).
  TlsProtocol(Reactor& reactor, std::unique_ptr<Protocol> inner);
  ~TlsProtocol() override;

  Protocol& inner() { return *inner_; }

  // --- Protocol: events from the transport below ---
  void makeConnection(Transport& below) override;
  void dataReceived(std::string_view data) override;
  void connectionLost(const Reason& reason) override;
  bool halfCloseable() const override { return true; }  // EOF must be seen to judge it
  void readConnectionLost() override;
  void writeConnectionLost() override;

  // --- Transport: what the protocol above calls ---
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
  void setWaterMarks(WaterMarks marks) override;
  void setReadBackpressure(bool on) override;
  size_t bufferedBytes() const override;
  void setTcpNoDelay(bool on) override;
  bool getTcpNoDelay() const override;
  void setTcpKeepAlive(bool on) override;
  bool getTcpKeepAlive() const override;
  bool connected() const override;
  void pauseProducing() override;
  void resumeProducing() override;
  void stopProducing() override;

  // --- TlsTransport ---
  bool tlsStarted() const override { return ssl_ != nullptr; }
  bool handshakeDone() const override { return handshakeDone_; }
  void whenHandshakeDone(std::function<void()> fn) override;
  std::string protocolVersion() const override;
  std::string negotiatedProtocol() const override;
  bool sessionReused() const override;
  std::string serverName() const override;
  std::string peerCertificateSubject() const override;
  void startTLS(std::shared_ptr<const ServerContext> context) override;
  void startTLS(std::shared_ptr<const ClientContext> context, std::string serverName = {}) override;

 private:
  struct SslFree {
    void operator()(ssl_st* s) const;
  };

  Transport& below() { return *Protocol::transport; }
  const Transport& below() const { return *Protocol::transport; }
  void adopt(ssl_st* ssl);  // takes ownership; attaches the memory BIOs
  void beginHandshake();
  // Feed what arrived, advance the handshake, deliver plaintext, send what OpenSSL produced.
  void pump();
  bool advanceHandshake();  // false: not done yet (or failed)
  void deliverPlaintext();
  void encrypt(std::string_view plain);
  void flushCiphertext();
  void onHandshakeDone();
  void maybeSendCloseNotify();
  void onPeerCloseNotify();
  void fail(ErrorKind kind, std::string message);  // record the reason, close below
  void closeBelow();
  void scheduleDrain();
  void handleEof();
  Duration closeTimeout() const;

  Reactor& reactor_;
  std::unique_ptr<Protocol> inner_;
  std::shared_ptr<const ServerContext> serverContext_;
  std::shared_ptr<const ClientContext> clientContext_;
  std::string host_;
  std::string sessionKey_;  // outlives ssl_, which points at it
  std::unique_ptr<ssl_st, SslFree> ssl_;
  void* rbio_ = nullptr;  // BIO*: ciphertext from the peer (owned by ssl_)
  void* wbio_ = nullptr;  // BIO*: ciphertext for the peer (owned by ssl_)

  std::string pendingPlain_;  // written before the handshake ended, or while corked
  std::vector<std::function<void()>> onHandshake_;
  std::optional<Reason> failure_;
  DelayedCall closeTimer_;
  DelayedCall drainCall_;
  PushProducer* producer_ = nullptr;  // the protocol above's producer, registered below too

  bool handshakeDone_ = false;
  bool corked_ = false;              // delivering: writes gather into one encryption afterwards
  bool paused_ = false;              // the protocol above paused reading
  bool loseRequested_ = false;       // loseConnection() called
  bool writeShutRequested_ = false;  // loseWriteConnection() called
  bool closeNotifySent_ = false;
  bool peerCloseNotify_ = false;
  bool belowClosing_ = false;  // loseConnection/abort was called below
  bool eofSeen_ = false;       // TCP EOF arrived below
  bool eofHandled_ = false;
  bool lost_ = false;
  bool madeConnection_ = false;
};

}  // namespace weft::tls
