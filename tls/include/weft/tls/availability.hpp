// Whether this build of weft has TLS. It does when CMake found OpenSSL 3; the MinGW
// cross-build has no OpenSSL package, so there TLS is visibly unavailable with the reason.
#pragma once

#include <string_view>

namespace weft::tls {

bool tlsAvailable();
// Empty when available; otherwise why not (for "unavailable: <why>" lines and test skips).
std::string_view tlsUnavailableReason();

}  // namespace weft::tls
