// The echo servers `weft serve --protocol ...` runs: raw echo, and echo of each framed message
// (length-prefixed string, line, netstring) re-framed the same way.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "weft/protocol.hpp"
#include "weft/protocols/echo.hpp"
#include "weft/protocols/framing.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/protocols/netstring_receiver.hpp"

namespace weft {

enum class EchoProtocol { Echo, LengthPrefix, Line, Netstring };

// "echo", "lenprefix", "line", "netstring"; nullopt for anything else.
std::optional<EchoProtocol> parseEchoProtocol(std::string_view name);
std::string_view echoProtocolName(EchoProtocol protocol);
// "crlf" -> "\r\n", "lf" -> "\n"; nullopt for anything else.
std::optional<std::string> parseDelimiter(std::string_view name);

struct EchoServerOptions {
  EchoProtocol protocol = EchoProtocol::Echo;
  // The receiver's limit; unset keeps the protocol's default (16384 for lines, 99999 for
  // length-prefixed strings and netstrings). Ignored by raw echo.
  std::optional<size_t> maxLength;
  PrefixFormat prefix = PrefixFormat::U32LE;  // lenprefix only
  std::string delimiter = "\r\n";             // line only
};

// Echoes each string with the same prefix format.
class LengthPrefixEcho : public IntNStringReceiver {
 public:
  using IntNStringReceiver::IntNStringReceiver;
  void stringReceived(std::string_view string) override { sendString(string); }
};

// Echoes each line followed by the delimiter.
class LineEcho : public LineReceiver {
 public:
  using LineReceiver::LineReceiver;
  void lineReceived(std::string_view line) override { sendLine(line); }
};

class NetstringEcho : public NetstringReceiver {
 public:
  using NetstringReceiver::NetstringReceiver;
  void stringReceived(std::string_view string) override { sendString(string); }
};

// Throws Error(InvalidArgument) for an empty delimiter.
std::unique_ptr<Factory> makeEchoServerFactory(const EchoServerOptions& options);
// One protocol instance as the factory would build it (for tests and in-process use).
std::unique_ptr<Protocol> makeEchoProtocol(const EchoServerOptions& options);

}  // namespace weft
