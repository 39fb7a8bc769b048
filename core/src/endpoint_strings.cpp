#include "weft/endpoint_strings.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <map>

namespace weft {

namespace {

// Twisted's endpoints._tokenize + _parse: after ':' both ':' and '=' separate; after '=' only
// ':' does, so a value may contain '='.
EndpointDescription split(std::string_view text) {
  EndpointDescription out;
  std::vector<std::string> field;  // [value] or [key, value]
  std::string current;
  bool afterEquals = false;
  auto endField = [&] {
    field.push_back(std::move(current));
    current.clear();
    if (field.size() == 1) {
      out.args.push_back(std::move(field[0]));
    } else {
      out.kwargs.emplace_back(std::move(field[0]), std::move(field[1]));
    }
    field.clear();
    afterEquals = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (++i == text.size()) {
        throw EndpointStringError("endpoint description '" + std::string(text) +
                                  "' ends with a lone backslash");
      }
      current += text[i];
    } else if (c == ':') {
      endField();
    } else if (c == '=' && !afterEquals) {
      field.push_back(std::move(current));
      current.clear();
      afterEquals = true;
    } else {
      current += c;
    }
  }
  endField();
  return out;
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// The fields of one description, consumed by name or position; leftovers are errors.
class Arguments {
 public:
  // `known`: every parameter name this type takes, so a misspelt one is reported as such
  // before whatever it leaves missing.
  Arguments(const EndpointDescription& d, std::string_view text,
            std::initializer_list<std::string_view> known)
      : text_(text), type_(d.type) {
    positional_ = d.args;
    for (const auto& [k, v] : d.kwargs) {
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        fail("unknown parameter " + quoted(k));
      }
      if (!keywords_.emplace(k, v).second) fail("parameter " + quoted(k) + " given twice");
    }
  }
  // The next positional field, or the keyword `name`; both is an error.
  std::optional<std::string> take(const std::string& name) {
    auto kw = keywords_.find(name);
    if (next_ < positional_.size()) {
      if (kw != keywords_.end()) fail(quoted(name) + " given both by position and by name");
      return positional_[next_++];
    }
    if (kw == keywords_.end()) return std::nullopt;
    std::string v = kw->second;
    keywords_.erase(kw);
    return v;
  }
  std::optional<std::string> keyword(const std::string& name) {
    auto kw = keywords_.find(name);
    if (kw == keywords_.end()) return std::nullopt;
    std::string v = kw->second;
    keywords_.erase(kw);
    return v;
  }
  void finish() {
    if (next_ < positional_.size()) fail("unexpected argument " + quoted(positional_[next_]));
    if (!keywords_.empty()) fail("unknown parameter " + quoted(keywords_.begin()->first));
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw EndpointStringError(type_ + " endpoint " + quoted(text_) + ": " + what);
  }
  long number(const std::string& name, const std::string& value, long lo, long hi) const {
    long n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < lo || n > hi) {
      fail("bad " + name + " " + quoted(value) + " (expected an integer from " +
           std::to_string(lo) + " to " + std::to_string(hi) + ")");
    }
    return n;
  }
  uint16_t port(const std::optional<std::string>& v) const {
    if (!v) fail("missing port");
    return static_cast<uint16_t>(number("port", *v, 0, 65535));
  }

 private:
  std::string text_;
  std::string type_;
  std::vector<std::string> positional_;
  size_t next_ = 0;
  std::map<std::string, std::string> keywords_;
};

// tcp and tcp6 are built in; these are known names whose support comes later.
void rejectUnsupported(const EndpointDescription& d, std::string_view text) {
  if (d.type == "tcp" || d.type == "tcp6") return;
  if (d.type == "unix" || d.type == "ssl") {
    throw EndpointStringError("endpoint type " + quoted(d.type) + " is not supported yet (in " +
                              quoted(text) + ")");
  }
  if (d.type.empty()) throw EndpointStringError("empty endpoint description");
  throw EndpointStringError("unknown endpoint type " + quoted(d.type) + " in " + quoted(text) +
                            " (known: tcp, tcp6)");
}

}  // namespace

EndpointDescription parseEndpointDescription(std::string_view description) {
  EndpointDescription d = split(description);
  if (!d.args.empty()) {
    d.type = std::move(d.args.front());
    d.args.erase(d.args.begin());
  }
  return d;
}

TcpServerSpec parseServerDescription(std::string_view description) {
  EndpointDescription d = parseEndpointDescription(description);
  rejectUnsupported(d, description);
  Arguments a(d, description, {"port", "interface", "backlog"});
  TcpServerSpec spec;
  spec.port = a.port(a.take("port"));
  auto iface = a.keyword("interface");
  spec.interface = iface ? *iface : (d.type == "tcp6" ? "::" : "0.0.0.0");
  if (auto b = a.keyword("backlog")) spec.backlog = static_cast<int>(a.number("backlog", *b, 1, 65535));
  a.finish();
  return spec;
}

TcpClientSpec parseClientDescription(std::string_view description) {
  EndpointDescription d = parseEndpointDescription(description);
  rejectUnsupported(d, description);
  Arguments a(d, description, {"host", "port", "timeout", "bindAddress"});
  TcpClientSpec spec;
  auto host = a.take("host");
  if (!host || host->empty()) a.fail("missing host");
  spec.host = *host;
  spec.port = a.port(a.take("port"));
  if (spec.port == 0) a.fail("port 0 cannot be connected to");
  if (auto t = a.keyword("timeout")) spec.timeout = Duration(a.number("timeout", *t, 1, 86400));
  spec.bindAddress = a.keyword("bindAddress");
  a.finish();
  return spec;
}

std::unique_ptr<ServerEndpoint> serverFromString(Reactor& reactor, std::string_view description) {
  TcpServerSpec s = parseServerDescription(description);
  return std::make_unique<TCPServerEndpoint>(reactor, s.port, s.backlog, s.interface);
}

std::unique_ptr<ClientEndpoint> clientFromString(Reactor& reactor, std::string_view description) {
  TcpClientSpec s = parseClientDescription(description);
  std::optional<Address> bind;
  if (s.bindAddress) {
    bind = Address::parse(*s.bindAddress, 0);
    if (!bind) {
      throw EndpointStringError("tcp endpoint '" + std::string(description) +
                                "': bindAddress must be a literal address, got '" +
                                *s.bindAddress + "'");
    }
  }
  if (Address::parse(s.host, s.port) || bind) {
    return std::make_unique<TCPClientEndpoint>(reactor, s.host, s.port, s.timeout, bind);
  }
  return std::make_unique<HostnameEndpoint>(reactor, s.host, s.port, s.timeout);
}

}  // namespace weft
