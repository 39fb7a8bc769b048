#include "openssl_errors.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace weft::tls::detail {

std::string takeOpenSslErrors(std::string_view fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    // "error:0A000086:SSL routines::certificate verify failed": keep the readable tail.
    std::string_view text(buf);
    if (auto pos = text.rfind("::"); pos != std::string_view::npos) text.remove_prefix(pos + 2);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? std::string(fallback) : out;
}

std::string handshakeFailureText(SSL* ssl) {
  std::string text = takeOpenSslErrors("handshake failed");
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    text += " (";
    text += X509_verify_cert_error_string(verify);
    text += ")";
  }
  return text;
}

}  // namespace weft::tls::detail
