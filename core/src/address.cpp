#include "weft/address.hpp"

#ifdef _WIN32
#include <ws2tcpip.h>  // inet_pton / inet_ntop (Windows Vista and later)
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

#include <cstring>
#include <string>

namespace weft {

std::optional<Address> Address::parse(std::string_view host, uint16_t port) {
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return a;
  }
  a.storage_ = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return a;
  }
  return std::nullopt;
}

Address Address::fromSockaddr(const sockaddr* sa, socklen_t len) {
  Address a;
  if (sa && len > 0 && len <= static_cast<socklen_t>(sizeof(a.storage_))) {
    std::memcpy(&a.storage_, sa, len);
  }
  return a;
}

socklen_t Address::sockaddrLen() const {
  return isV6() ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

std::string Address::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage_.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
  } else if (storage_.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf,
              sizeof buf);
  }
  return buf;
}

uint16_t Address::port() const {
  if (storage_.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (storage_.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

std::string Address::toString() const {
  if (!valid()) return "<none>";
  return (isV6() ? "[" + host() + "]" : host()) + ":" + std::to_string(port());
}

}  // namespace weft
