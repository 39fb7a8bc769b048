// What a protocol running over TLS sees as its transport: the ordinary Transport (writes are
// encrypted, reads decrypted), plus what the handshake decided. Reach it with
// weft::tls::tlsTransport(protocol.transport).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "weft/transport.hpp"

namespace weft::tls {

class ServerContext;
class ClientContext;

class TlsTransport : public Transport {
 public:
  // False while the connection is still plaintext (made for startTLS, not started yet).
  virtual bool tlsStarted() const = 0;
  virtual bool handshakeDone() const = 0;
  // Runs once the handshake completes (at once if it already has); not if it fails (then
  // connectionLost gets a TlsHandshakeFailed reason).
  virtual void whenHandshakeDone(std::function<void()> fn) = 0;
  // After the handshake: "TLSv1.3", the ALPN protocol ("" if none), whether the session was
  // resumed, the SNI name the client sent (server side), the peer certificate's subject
  // ("" if none).
  virtual std::string protocolVersion() const = 0;
  virtual std::string negotiatedProtocol() const = 0;
  virtual bool sessionReused() const = 0;
  virtual std::string serverName() const = 0;
  virtual std::string peerCertificateSubject() const = 0;

  // Upgrade a plaintext connection (STARTTLS). Whatever was written before is sent in the
  // clear first; from here on everything is TLS. Throws Error(InvalidArgument) if TLS has
  // already started.
  virtual void startTLS(std::shared_ptr<const ServerContext> context) = 0;
  virtual void startTLS(std::shared_ptr<const ClientContext> context,
                        std::string serverName = {}) = 0;
};

// The TLS transport under a protocol, or null if it is not running over weft::tls.
inline TlsTransport* tlsTransport(Transport* t) {
  return dynamic_cast<TlsTransport*>(t);
}

}  // namespace weft::tls
