#include "weft/tls/availability.hpp"

namespace weft::tls {

#if WEFT_HAVE_TLS
bool tlsAvailable() {
  return true;
}
std::string_view tlsUnavailableReason() {
  return {};
}
#else
bool tlsAvailable() {
  return false;
}
std::string_view tlsUnavailableReason() {
  return WEFT_TLS_UNAVAILABLE_REASON;
}
#endif

}  // namespace weft::tls
