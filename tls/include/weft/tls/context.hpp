// TLS contexts: what a server or client says about itself and expects of its peer. One
// context serves many connections (it holds OpenSSL's SSL_CTX); share it through the
// shared_ptr. OpenSSL stays out of this header so applications do not need its headers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "weft/time.hpp"

namespace weft::tls {

// Only TLS 1.2 and 1.3 are offered; older versions are refused.
enum class TlsVersion { Tls12, Tls13 };

struct CertificateFiles {
  std::string certificateChainFile;  // PEM: the leaf first, then intermediates
  std::string privateKeyFile;        // PEM
};

// Settings both sides share.
struct CommonOptions {
  TlsVersion minVersion = TlsVersion::Tls12;
  TlsVersion maxVersion = TlsVersion::Tls13;
  // ALPN protocol names in preference order ("h2", "http/1.1"); empty = no ALPN.
  std::vector<std::string> alpn;
  // How long loseConnection() waits for the peer's close_notify (and, before that, for a
  // handshake in progress to end so queued writes are sent) before closing the socket anyway.
  Duration closeTimeout{5.0};
  // TLS 1.3 key exchange groups in OpenSSL's syntax ("X25519:P-256"); empty = OpenSSL's.
  std::string groups;
};

struct ServerOptions : CommonOptions {
  CertificateFiles certificate;  // the default certificate
  // SNI: a client naming one of these hosts gets that certificate ("*.example.com" matches
  // one label). Unknown or absent names get the default.
  std::vector<std::pair<std::string, CertificateFiles>> certificatesByName;
  // Non-empty: ask clients for a certificate and verify it against these CAs (PEM).
  std::string clientCaFile;
  // With clientCaFile: refuse clients that send no certificate.
  bool requireClientCertificate = true;
};

struct ClientOptions : CommonOptions {
  // PEM file of trusted CAs; empty = the system's default trust store.
  std::string caFile;
  // Verify the server's chain and its name (on by default; off only for tests and tools).
  bool verifyPeer = true;
  // Name to send as SNI and to check the certificate against; empty = the host connectSSL
  // was given. An IP literal is checked against the certificate's IP addresses, without SNI.
  std::string serverName;
  // Optional client certificate.
  CertificateFiles certificate;
  // Offer the session the last connection to the same name and port got (tickets, TLS 1.3
  // and 1.2), so the next handshake skips the certificate exchange.
  bool sessionResumption = true;
};

class ServerContext {
 public:
  // Throws weft::Error(InvalidArgument) naming the file or setting OpenSSL refused, or
  // Error(Unavailable) in a build without TLS.
  static std::shared_ptr<ServerContext> create(ServerOptions options);
  ~ServerContext();
  const ServerOptions& options() const;

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  struct Token {};  // only create() constructs one (through make_shared)

 public:
  ServerContext(Token, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

class ClientContext {
 public:
  static std::shared_ptr<ClientContext> create(ClientOptions options);
  ~ClientContext();
  const ClientOptions& options() const;
  // Sessions kept for resumption (one per name:port).
  size_t cachedSessions() const;

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  struct Token {};  // only create() constructs one (through make_shared)

 public:
  ClientContext(Token, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::tls
