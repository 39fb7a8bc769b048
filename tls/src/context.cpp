// ServerContext / ClientContext over OpenSSL 3's SSL_CTX.
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cctype>
#include "openssl_context.hpp"
#include "openssl_errors.hpp"
#include "weft/address.hpp"
#include "weft/errors.hpp"

namespace weft::tls {

namespace detail {

std::vector<unsigned char> alpnWire(const std::vector<std::string>& names) {
  std::vector<unsigned char> wire;
  for (const auto& n : names) {
    if (n.empty() || n.size() > 255)
      throw Error(ErrorKind::InvalidArgument, "ALPN name '" + n + "' must be 1-255 bytes");
    wire.push_back(static_cast<unsigned char>(n.size()));
    wire.insert(wire.end(), n.begin(), n.end());
  }
  return wire;
}

}  // namespace detail

namespace {

using detail::SslCtxPtr;

[[noreturn]] void refuse(const std::string& what) {
  throw Error(ErrorKind::InvalidArgument, what + ": " + detail::takeOpenSslErrors());
}

int protoVersion(TlsVersion v) {
  return v == TlsVersion::Tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

// What both sides configure the same way: versions, renegotiation refused, groups.
SslCtxPtr newCtx(const SSL_METHOD* method, const CommonOptions& o) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (!ctx) refuse("SSL_CTX_new");
  if (o.minVersion > o.maxVersion)
    throw Error(ErrorKind::InvalidArgument, "TLS minVersion is above maxVersion");
  SSL_CTX_set_min_proto_version(ctx.get(), protoVersion(o.minVersion));
  SSL_CTX_set_max_proto_version(ctx.get(), protoVersion(o.maxVersion));
  // Renegotiation is refused both ways (TLS 1.3 has none; in 1.2 it is an attack surface and
  // a source of surprise reads during writes).
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (!o.groups.empty() && SSL_CTX_set1_groups_list(ctx.get(), o.groups.c_str()) != 1)
    refuse("groups '" + o.groups + "'");
  return ctx;
}

void useCertificate(SSL_CTX* ctx, const CertificateFiles& files) {
  if (SSL_CTX_use_certificate_chain_file(ctx, files.certificateChainFile.c_str()) != 1)
    refuse("certificate chain file '" + files.certificateChainFile + "'");
  if (SSL_CTX_use_PrivateKey_file(ctx, files.privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1)
    refuse("private key file '" + files.privateKeyFile + "'");
  if (SSL_CTX_check_private_key(ctx) != 1)
    refuse("private key '" + files.privateKeyFile + "' does not match its certificate");
}

int selectAlpn(SSL*, const unsigned char** out, unsigned char* outLen, const unsigned char* in,
               unsigned int inLen, void* arg) {
  auto* impl = static_cast<ServerContext::Impl*>(arg);
  if (impl->alpn.empty()) return SSL_TLSEXT_ERR_NOACK;
  unsigned char* chosen = nullptr;
  // Server preference: the first of ours the client also offered.
  if (SSL_select_next_proto(&chosen, outLen, impl->alpn.data(),
                            static_cast<unsigned>(impl->alpn.size()), in,
                            inLen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // no overlap: carry on without ALPN
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int chooseCertificateByName(SSL* ssl, int*, void* arg) {
  auto* impl = static_cast<ServerContext::Impl*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name) {
    if (SSL_CTX* ctx = impl->forName(name)) SSL_set_SSL_CTX(ssl, ctx);
  }
  return SSL_TLSEXT_ERR_OK;
}

SslCtxPtr newServerCtx(ServerContext::Impl& impl, const CertificateFiles& cert) {
  const ServerOptions& o = impl.options;
  SslCtxPtr ctx = newCtx(TLS_server_method(), o);
  useCertificate(ctx.get(), cert);
  static const unsigned char kSessionContext[] = "weft";
  SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
  if (!o.clientCaFile.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), o.clientCaFile.c_str(), nullptr) != 1)
      refuse("client CA file '" + o.clientCaFile + "'");
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.clientCaFile.c_str()))
      SSL_CTX_set_client_CA_list(ctx.get(), names);
    int mode = SSL_VERIFY_PEER;
    if (o.requireClientCertificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx.get(), mode, nullptr);
  }
  SSL_CTX_set_alpn_select_cb(ctx.get(), selectAlpn, &impl);
  SSL_CTX_set_tlsext_servername_callback(ctx.get(), chooseCertificateByName);
  SSL_CTX_set_tlsext_servername_arg(ctx.get(), &impl);
  return ctx;
}

int keyIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int onNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* key = static_cast<const std::string*>(SSL_get_ex_data(ssl, keyIndex()));
  auto* impl = static_cast<ClientContext::Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (!key || !impl) return 0;  // not ours to keep: OpenSSL frees it
  impl->storeSession(*key, session);
  return 1;
}

bool matchesName(std::string_view pattern, std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string p = lower(pattern), n = lower(name);
  if (p.starts_with("*.")) {
    auto dot = n.find('.');
    return dot != std::string::npos && dot > 0 && n.substr(dot) == p.substr(1);
  }
  return p == n;
}

}  // namespace

SSL_CTX* ServerContext::Impl::forName(std::string_view name) const {
  for (const auto& [pattern, ctx] : byName)
    if (matchesName(pattern, name)) return ctx.get();
  return nullptr;
}

SSL* ServerContext::Impl::newSsl() const {
  SSL* ssl = SSL_new(defaultCtx.get());
  if (ssl) SSL_set_accept_state(ssl);
  return ssl;
}

std::shared_ptr<ServerContext> ServerContext::create(ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->alpn = detail::alpnWire(impl->options.alpn);
  impl->defaultCtx = newServerCtx(*impl, impl->options.certificate);
  for (const auto& [name, files] : impl->options.certificatesByName)
    impl->byName.emplace_back(name, newServerCtx(*impl, files));
  return std::make_shared<ServerContext>(Token{}, std::move(impl));
}

ServerContext::ServerContext(Token, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServerContext::~ServerContext() = default;
const ServerOptions& ServerContext::options() const {
  return impl_->options;
}

SSL* ClientContext::Impl::newSsl(const std::string& host, const std::string& sessionKey) const {
  SSL* ssl = SSL_new(ctx.get());
  if (!ssl) return nullptr;
  SSL_set_connect_state(ssl);
  const std::string& name = options.serverName.empty() ? host : options.serverName;
  if (!name.empty()) {
    if (Address::parse(name, 0)) {
      // An IP literal: no SNI (RFC 6066 forbids it); the certificate must list the address.
      if (options.verifyPeer) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      if (options.verifyPeer) {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        SSL_set1_host(ssl, name.c_str());
      }
    }
  }
  if (!alpn.empty()) SSL_set_alpn_protos(ssl, alpn.data(), static_cast<unsigned>(alpn.size()));
  if (options.sessionResumption) {
    SSL_set_ex_data(ssl, keyIndex(), const_cast<std::string*>(&sessionKey));
    std::lock_guard lock(mu);
    if (auto it = sessions.find(sessionKey); it != sessions.end())
      SSL_set_session(ssl, it->second.get());
  }
  return ssl;
}

void ClientContext::Impl::storeSession(const std::string& key, SSL_SESSION* session) {
  std::lock_guard lock(mu);
  sessions[key] = detail::SslSessionPtr(session);
}

std::shared_ptr<ClientContext> ClientContext::create(ClientOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const ClientOptions& o = impl->options;
  impl->alpn = detail::alpnWire(o.alpn);
  impl->ctx = newCtx(TLS_client_method(), o);
  SSL_CTX* ctx = impl->ctx.get();
  if (o.verifyPeer) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = o.caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                              : SSL_CTX_load_verify_locations(ctx, o.caFile.c_str(), nullptr);
    if (ok != 1) refuse("CA file '" + o.caFile + "'");
  }
  if (!o.certificate.certificateChainFile.empty()) useCertificate(ctx, o.certificate);
  if (o.sessionResumption) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, onNewSession);
  }
  SSL_CTX_set_app_data(ctx, impl.get());
  return std::make_shared<ClientContext>(Token{}, std::move(impl));
}

ClientContext::ClientContext(Token, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClientContext::~ClientContext() = default;
const ClientOptions& ClientContext::options() const {
  return impl_->options;
}
size_t ClientContext::cachedSessions() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace weft::tls
