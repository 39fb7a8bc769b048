// OpenSSL's thread-local error queue as text for weft's Reasons and Errors.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace weft::tls::detail {

// Every queued OpenSSL error, "; "-separated, and clears the queue. `fallback` if empty.
std::string takeOpenSslErrors(std::string_view fallback = "unknown OpenSSL error");

// Why a handshake failed on this connection: the queued errors, plus the certificate
// verification result when that was the cause ("certificate has expired").
std::string handshakeFailureText(SSL* ssl);

}  // namespace weft::tls::detail
