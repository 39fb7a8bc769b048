// resolveAll: every address getaddrinfo gives for a name (HostnameEndpoint tries each).
// getaddrinfo has the same signature in POSIX and Winsock; on Windows, Winsock is already
// started by the reactor the endpoint belongs to.
#include <set>

#include "weft/endpoints.hpp"
#include "weft/errors.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netdb.h>
#endif

namespace weft {

std::vector<Address> resolveAll(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || !res) {
    if (res) ::freeaddrinfo(res);
    throw Error(ErrorKind::DnsLookup,
                "could not resolve '" + host + "': " + std::string(::gai_strerror(rc)));
  }
  std::vector<Address> out;
  std::set<std::string> seen;  // getaddrinfo may list an address once per protocol
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Address a = Address::fromSockaddr(ai->ai_addr, static_cast<socklen_t>(ai->ai_addrlen));
    auto withPort = Address::parse(a.host(), port);
    if (withPort && seen.insert(withPort->toString()).second) out.push_back(*withPort);
  }
  ::freeaddrinfo(res);
  return out;
}

}  // namespace weft
