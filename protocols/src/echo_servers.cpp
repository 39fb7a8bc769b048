#include "weft/protocols/echo_servers.hpp"

#include "weft/errors.hpp"

namespace weft {

namespace {

class EchoServerFactory : public Factory {
 public:
  explicit EchoServerFactory(EchoServerOptions options) : options_(std::move(options)) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    return makeEchoProtocol(options_);
  }

 private:
  EchoServerOptions options_;
};

}  // namespace

std::optional<EchoProtocol> parseEchoProtocol(std::string_view name) {
  for (EchoProtocol p : {EchoProtocol::Echo, EchoProtocol::LengthPrefix, EchoProtocol::Line,
                         EchoProtocol::Netstring}) {
    if (name == echoProtocolName(p)) return p;
  }
  return std::nullopt;
}

std::string_view echoProtocolName(EchoProtocol protocol) {
  switch (protocol) {
    case EchoProtocol::Echo:
      return "echo";
    case EchoProtocol::LengthPrefix:
      return "lenprefix";
    case EchoProtocol::Line:
      return "line";
    case EchoProtocol::Netstring:
      return "netstring";
  }
  return "?";
}

std::optional<std::string> parseDelimiter(std::string_view name) {
  if (name == "crlf") return std::string("\r\n");
  if (name == "lf") return std::string("\n");
  return std::nullopt;
}

std::unique_ptr<Protocol> makeEchoProtocol(const EchoServerOptions& options) {
  switch (options.protocol) {
    case EchoProtocol::Echo:
      return std::make_unique<Echo>();
    case EchoProtocol::LengthPrefix:
      return std::make_unique<LengthPrefixEcho>(
          options.prefix, options.maxLength.value_or(IntNStringReceiver::kDefaultMaxLength));
    case EchoProtocol::Line:
      return std::make_unique<LineEcho>(
          options.delimiter, options.maxLength.value_or(LineReceiver::kDefaultMaxLength));
    case EchoProtocol::Netstring:
      return std::make_unique<NetstringEcho>(
          options.maxLength.value_or(NetstringReceiver::kDefaultMaxLength));
  }
  throw Error(ErrorKind::InvalidArgument, "unknown echo protocol");
}

std::unique_ptr<Factory> makeEchoServerFactory(const EchoServerOptions& options) {
  if (options.protocol == EchoProtocol::Line && options.delimiter.empty()) {
    throw Error(ErrorKind::InvalidArgument, "line delimiter is empty");
  }
  return std::make_unique<EchoServerFactory>(options);
}

}  // namespace weft
