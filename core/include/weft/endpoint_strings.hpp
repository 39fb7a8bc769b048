// Endpoint description strings (Twisted's serverFromString / clientFromString):
//   serverFromString(reactor, "tcp:8000:interface=127.0.0.1:backlog=50")
//   serverFromString(reactor, "tcp6:8000:interface=\\:\\:1")
//   clientFromString(reactor, "tcp:host=localhost:port=8000:timeout=5")
//   clientFromString(reactor, "tcp:localhost:8000")
// Grammar: fields separated by ':'; a field `key=value` is a keyword argument (only the first
// '=' separates: later ones are part of the value); '\' makes the next character literal.
// The first field names the type. tcp and tcp6 are built in; unix and ssl are recognised
// names that later work adds (today a named "not supported yet" error). An unknown type,
// an unknown or repeated parameter, a missing or bad value is an EndpointStringError that
// names it.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/endpoints.hpp"

namespace weft {

class EndpointStringError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// A description split into its fields, escapes resolved.
struct EndpointDescription {
  std::string type;
  std::vector<std::string> args;                            // positional, after the type
  std::vector<std::pair<std::string, std::string>> kwargs;  // in order of appearance
};
EndpointDescription parseEndpointDescription(std::string_view description);

// What a tcp/tcp6 server description asks for (Twisted's defaults: backlog 50, every
// interface: "0.0.0.0" for tcp, "::" for tcp6).
struct TcpServerSpec {
  uint16_t port = 0;
  int backlog = 50;
  std::string interface;
};
// What a tcp/tcp6 client description asks for (timeout 30 s by default).
struct TcpClientSpec {
  std::string host;
  uint16_t port = 0;
  Duration timeout{30};
  std::optional<std::string> bindAddress;
};
TcpServerSpec parseServerDescription(std::string_view description);
TcpClientSpec parseClientDescription(std::string_view description);

std::unique_ptr<ServerEndpoint> serverFromString(Reactor& reactor, std::string_view description);
// A literal address connects with TCPClientEndpoint; a name with HostnameEndpoint (every
// address it resolves to is tried).
std::unique_ptr<ClientEndpoint> clientFromString(Reactor& reactor, std::string_view description);

}  // namespace weft
