#include "cli/serve_stats.hpp"

#include <utility>

namespace weft::harness {

namespace {

class CountingEcho : public Echo {
 public:
  explicit CountingEcho(ServeStats& s) : stats_(s) {}
  void dataReceived(std::string_view data) override {
    stats_.messages += data.size();
    Echo::dataReceived(data);
  }

 private:
  ServeStats& stats_;
};

// LengthPrefixEcho and NetstringEcho: one reply per string.
template <class Base>
class CountingStringEcho : public Base {
 public:
  template <class... Args>
  explicit CountingStringEcho(ServeStats& s, Args&&... args)
      : Base(std::forward<Args>(args)...), stats_(s) {}
  void stringReceived(std::string_view string) override {
    ++stats_.messages;
    Base::stringReceived(string);
  }

 private:
  ServeStats& stats_;
};

class CountingLineEcho : public LineEcho {
 public:
  CountingLineEcho(ServeStats& s, std::string_view delimiter, size_t maxLength)
      : LineEcho(delimiter, maxLength), stats_(s) {}
  void lineReceived(std::string_view line) override {
    ++stats_.messages;
    LineEcho::lineReceived(line);
  }

 private:
  ServeStats& stats_;
};

std::unique_ptr<Protocol> makeCounting(const EchoServerOptions& o, ServeStats& s) {
  switch (o.protocol) {
    case EchoProtocol::Echo:
      return std::make_unique<CountingEcho>(s);
    case EchoProtocol::LengthPrefix:
      return std::make_unique<CountingStringEcho<LengthPrefixEcho>>(
          s, o.prefix, o.maxLength.value_or(IntNStringReceiver::kDefaultMaxLength));
    case EchoProtocol::Line:
      return std::make_unique<CountingLineEcho>(
          s, o.delimiter, o.maxLength.value_or(LineReceiver::kDefaultMaxLength));
    case EchoProtocol::Netstring:
      return std::make_unique<CountingStringEcho<NetstringEcho>>(
          s, o.maxLength.value_or(NetstringReceiver::kDefaultMaxLength));
  }
  return nullptr;
}

class CountingEchoFactory : public Factory {
 public:
  CountingEchoFactory(EchoServerOptions o, ServeStats& s) : options_(std::move(o)), stats_(s) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    ++stats_.connections;
    return makeCounting(options_, stats_);
  }

 private:
  EchoServerOptions options_;
  ServeStats& stats_;
};

}  // namespace

std::unique_ptr<Factory> makeCountingEchoFactory(const EchoServerOptions& options,
                                                 ServeStats& stats) {
  // The same validation as the uncounted factory (an empty delimiter is refused).
  makeEchoServerFactory(options);
  return std::make_unique<CountingEchoFactory>(options, stats);
}

}  // namespace weft::harness
