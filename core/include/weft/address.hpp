// A TCP endpoint (IPv4 or IPv6): what getPeer()/getHost() return and buildProtocol() receives.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#ifdef _WIN32
#include <winsock2.h>  // sockaddr_storage (core builds with NOMINMAX and WIN32_LEAN_AND_MEAN)
#include <ws2tcpip.h>  // socklen_t
#else
#include <sys/socket.h>
#endif

namespace weft {

class Address {
 public:
  Address() = default;
  // Parses a numeric host ("127.0.0.1", "::1"); nullopt if it is not a literal address.
  static std::optional<Address> parse(std::string_view host, uint16_t port);
  static Address fromSockaddr(const sockaddr* sa, socklen_t len);

  bool isV6() const { return storage_.ss_family == AF_INET6; }
  bool valid() const { return storage_.ss_family == AF_INET || storage_.ss_family == AF_INET6; }
  int family() const { return storage_.ss_family; }
  std::string host() const;
  uint16_t port() const;
  std::string toString() const;  // "127.0.0.1:80", "[::1]:80"

  const sockaddr* sockaddrPtr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t sockaddrLen() const;

  friend bool operator==(const Address& a, const Address& b) {
    return a.toString() == b.toString();
  }

 private:
  sockaddr_storage storage_{};
};

}  // namespace weft
