#include "cli/fault_server.hpp"

#include <charconv>
#include <string>

namespace weft::harness {

namespace {

constexpr uint64_t kCorruptEvery = 10000;

class FaultyEcho : public Protocol {
 public:
  FaultyEcho(const WireFormat& wire, const Fault& fault, ServeStats& stats)
      : fault_(fault), stats_(stats), split_(wire), wire_(wire) {}

  void connectionMade() override {
    if (fault_.kind == Fault::Kind::DropConnection && stats_.connections % fault_.n == 0) {
      done_ = true;
      transport->loseConnection();
    }
  }

  void dataReceived(std::string_view data) override {
    if (done_) return;
    split_.feed(data);
    while (auto payload = split_.next()) {
      stats_.messages += wire_.wire == Wire::Echo ? payload->size() : 1;
      reply(std::move(*payload));
      if (done_) return;
    }
    if (split_.error()) {
      done_ = true;
      transport->loseConnection();
    }
  }

 private:
  void send(const std::string& payload) { transport->write(frame(wire_, payload)); }

  void reply(std::string payload) {
    uint64_t index = replies_++;
    switch (fault_.kind) {
      case Fault::Kind::Corrupt:
        for (char& c : payload) {
          if (++payloadBytes_ % kCorruptEvery == 0) c ^= 0x01;  // stays printable, no delimiter
        }
        send(payload);
        return;
      case Fault::Kind::DropLast:
        if (held_) send(*held_);
        held_ = std::move(payload);
        return;
      case Fault::Kind::Reorder:
        if (index == 1) {
          held_ = std::move(payload);
          return;
        }
        send(payload);
        if (index == 2) send(*held_);
        return;
      case Fault::Kind::CloseAfter:
        send(payload);
        if (index + 1 == fault_.n) {
          done_ = true;
          transport->loseConnection();
        }
        return;
      case Fault::Kind::StopReading:
        send(payload);
        if (index + 1 == fault_.n) {
          done_ = true;  // the rest of this read is dropped too
          transport->pauseProducing();
        }
        return;
      case Fault::Kind::DropConnection:
      case Fault::Kind::IgnoreSigterm:
        send(payload);
        return;
    }
  }

  Fault fault_;
  ServeStats& stats_;
  FrameSplitter split_;
  WireFormat wire_;
  uint64_t replies_ = 0;
  uint64_t payloadBytes_ = 0;
  std::optional<std::string> held_;
  bool done_ = false;
};

class FaultyEchoFactory : public Factory {
 public:
  FaultyEchoFactory(WireFormat wire, Fault fault, ServeStats& stats)
      : wire_(std::move(wire)), fault_(fault), stats_(stats) {}
  std::unique_ptr<Protocol> buildProtocol(const Address&) override {
    ++stats_.connections;
    return std::make_unique<FaultyEcho>(wire_, fault_, stats_);
  }

 private:
  WireFormat wire_;
  Fault fault_;
  ServeStats& stats_;
};

}  // namespace

std::optional<Fault> parseFault(std::string_view spec) {
  struct Name {
    std::string_view name;
    Fault::Kind kind;
    bool takesN;
  };
  static constexpr Name kNames[] = {
      {"corrupt", Fault::Kind::Corrupt, false},
      {"drop-last", Fault::Kind::DropLast, false},
      {"reorder", Fault::Kind::Reorder, false},
      {"close-after", Fault::Kind::CloseAfter, true},
      {"stop-reading", Fault::Kind::StopReading, true},
      {"drop-conn", Fault::Kind::DropConnection, true},
      {"ignore-sigterm", Fault::Kind::IgnoreSigterm, false},
  };
  size_t eq = spec.find('=');
  std::string_view name = spec.substr(0, eq);
  for (const auto& n : kNames) {
    if (n.name != name) continue;
    Fault f{n.kind, 0};
    if (!n.takesN) return eq == std::string_view::npos ? std::optional(f) : std::nullopt;
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view number = spec.substr(eq + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), f.n);
    if (ec != std::errc() || end != number.data() + number.size() || f.n == 0) return std::nullopt;
    return f;
  }
  return std::nullopt;
}

std::unique_ptr<Factory> makeFaultyEchoFactory(const WireFormat& wire, const Fault& fault,
                                               ServeStats& stats) {
  return std::make_unique<FaultyEchoFactory>(wire, fault, stats);
}

}  // namespace weft::harness
