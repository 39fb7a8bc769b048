// Shared helpers for the protocol tests: Twisted-style chunked feeding, a fake clock for
// callLater(0, ...), and a transport that records each write separately.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/protocol.hpp"
#include "weft/testing/string_transport.hpp"

namespace weft::test {

// Feeds `data` the way Twisted's tests do: for i in range(len // size + 1), which ends with
// an empty chunk when len is a multiple of size.
inline void feedChunks(Protocol& p, std::string_view data, size_t size) {
  for (size_t i = 0; i <= data.size() / size; ++i) p.dataReceived(data.substr(i * size, size));
}

// Feeds one byte at a time (Twisted's iterbytes loops).
inline void feedBytes(Protocol& p, std::string_view data) {
  for (char c : data) p.dataReceived(std::string_view(&c, 1));
}

// task.Clock reduced to what the tests need: callLater(0, f) and advance(0).
class FakeClock {
 public:
  void callLater0(std::function<void()> f) { calls_.push_back(std::move(f)); }
  void advance() {
    auto due = std::exchange(calls_, {});
    for (auto& f : due) f();
  }
  size_t pending() const { return calls_.size(); }

 private:
  std::vector<std::function<void()>> calls_;
};

// Records every write separately (Twisted's OnlyProducerTransport.data list).
class RecordingTransport : public testing::StringTransport {
 public:
  std::vector<std::string> writes;
  void write(std::string_view data) override {
    writes.emplace_back(data);
    StringTransport::write(data);
  }
  void writeSequence(std::span<const std::string_view> parts) override {
    std::string joined;
    for (auto p : parts) joined.append(p);
    writes.push_back(joined);
    StringTransport::write(joined);
  }
  using Transport::writeSequence;
};

}  // namespace weft::test
