// What ServerContext and ClientContext hold: OpenSSL SSL_CTXs configured from the options,
// and the client's session cache. Private to weft::tls.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "weft/tls/context.hpp"

namespace weft::tls::detail {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslSessionFree {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionFree>;

// ALPN's wire format: each name prefixed by its length.
std::vector<unsigned char> alpnWire(const std::vector<std::string>& names);

}  // namespace weft::tls::detail

namespace weft::tls {

struct ServerContext::Impl {
  ServerOptions options;
  detail::SslCtxPtr defaultCtx;
  std::vector<std::pair<std::string, detail::SslCtxPtr>> byName;  // SNI
  std::vector<unsigned char> alpn;

  SSL_CTX* forName(std::string_view name) const;  // null: keep the default
  SSL* newSsl() const;                            // server side, ready to accept
};

struct ClientContext::Impl {
  ClientOptions options;
  detail::SslCtxPtr ctx;
  std::vector<unsigned char> alpn;
  mutable std::mutex mu;  // a context may be shared by reactors on different threads
  std::map<std::string, detail::SslSessionPtr> sessions;

  // Client side for `host`, offering the session cached under `sessionKey` if any.
  SSL* newSsl(const std::string& host, const std::string& sessionKey) const;
  void storeSession(const std::string& key, SSL_SESSION* session);  // takes ownership
};

}  // namespace weft::tls
