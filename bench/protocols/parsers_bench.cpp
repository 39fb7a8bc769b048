// Parser micro-benchmarks. Input as in Twisted's benchmarks/test_linereceiver.py: 1000 lines
// of ("abcde" * 10) + "\r\n", fed in chunks of 16, 64, 256 and 1024 bytes; the same payloads
// length-prefixed (u32le) and as netstrings; and, in the same binary, a baseline that only
// memchr's the same bytes for the delimiter. Targets (issue 3): line receivers >= 0.5x the
// baseline at 1024-byte chunks; IntN with 1 KiB strings >= 5 GB/s; one 1 MiB line in 64-byte
// chunks within 2x the per-byte cost of 1024-byte chunks.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "weft/protocols/framing.hpp"
#include "weft/protocols/int_n_string_receiver.hpp"
#include "weft/protocols/line_only_receiver.hpp"
#include "weft/protocols/line_receiver.hpp"
#include "weft/protocols/netstring_receiver.hpp"
#include "weft/testing/string_transport.hpp"

namespace {

constexpr int kMessages = 1000;

std::string payload() {
  std::string p;
  for (int i = 0; i < 10; ++i) p += "abcde";
  return p;
}

const std::string& lineInput() {
  static const std::string input = [] {
    std::string s;
    for (int i = 0; i < kMessages; ++i) weft::appendLine(s, payload());
    return s;
  }();
  return input;
}

const std::string& prefixedInput() {
  static const std::string input = [] {
    std::string s;
    for (int i = 0; i < kMessages; ++i) {
      weft::appendLengthPrefixed(s, weft::PrefixFormat::U32LE, payload());
    }
    return s;
  }();
  return input;
}

const std::string& netstringInput() {
  static const std::string input = [] {
    std::string s;
    for (int i = 0; i < kMessages; ++i) weft::appendNetstring(s, payload());
    return s;
  }();
  return input;
}

template <class Feed>
void feedChunks(const std::string& input, size_t chunk, Feed&& feed) {
  std::string_view all(input);
  for (size_t pos = 0; pos < all.size(); pos += chunk) feed(all.substr(pos, chunk));
}

template <class Base>
class CountingLines : public Base {
 public:
  using Base::Base;
  void lineReceived(std::string_view line) override { bytes += line.size(); }
  size_t bytes = 0;
};

class CountingStrings : public weft::IntNStringReceiver {
 public:
  using IntNStringReceiver::IntNStringReceiver;
  void stringReceived(std::string_view s) override { bytes += s.size(); }
  size_t bytes = 0;
};

class CountingNetstrings : public weft::NetstringReceiver {
 public:
  void stringReceived(std::string_view s) override { bytes += s.size(); }
  size_t bytes = 0;
};

void report(benchmark::State& state, size_t bytesPerIteration, size_t itemsPerIteration) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytesPerIteration));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * itemsPerIteration));
}

// The physical floor: find every "\r\n" with memchr, chunk by chunk, doing nothing else.
void BM_MemchrBaseline(benchmark::State& state) {
  const std::string& input = lineInput();
  const auto chunk = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    size_t found = 0;
    feedChunks(input, chunk, [&](std::string_view c) {
      const char* p = c.data();
      const char* end = p + c.size();
      while (p < end) {
        const void* hit = std::memchr(p, '\r', static_cast<size_t>(end - p));
        if (!hit) break;
        ++found;
        p = static_cast<const char*>(hit) + 1;
      }
    });
    benchmark::DoNotOptimize(found);
  }
  report(state, input.size(), kMessages);
}

template <class Receiver>
void BM_Lines(benchmark::State& state) {
  const std::string& input = lineInput();
  const auto chunk = static_cast<size_t>(state.range(0));
  weft::testing::StringTransport transport;
  CountingLines<Receiver> receiver;
  receiver.makeConnection(transport);
  for (auto _ : state) {
    feedChunks(input, chunk, [&](std::string_view c) { receiver.dataReceived(c); });
    benchmark::DoNotOptimize(receiver.bytes);
  }
  if (receiver.bytes != state.iterations() * kMessages * payload().size()) {
    state.SkipWithError("lines lost");
  }
  report(state, input.size(), kMessages);
}

void BM_IntNu32le(benchmark::State& state) {
  const std::string& input = prefixedInput();
  const auto chunk = static_cast<size_t>(state.range(0));
  weft::testing::StringTransport transport;
  CountingStrings receiver(weft::PrefixFormat::U32LE);
  receiver.makeConnection(transport);
  for (auto _ : state) {
    feedChunks(input, chunk, [&](std::string_view c) { receiver.dataReceived(c); });
    benchmark::DoNotOptimize(receiver.bytes);
  }
  if (receiver.bytes != state.iterations() * kMessages * payload().size()) {
    state.SkipWithError("strings lost");
  }
  report(state, input.size(), kMessages);
}

void BM_Netstring(benchmark::State& state) {
  const std::string& input = netstringInput();
  const auto chunk = static_cast<size_t>(state.range(0));
  weft::testing::StringTransport transport;
  CountingNetstrings receiver;
  receiver.makeConnection(transport);
  for (auto _ : state) {
    feedChunks(input, chunk, [&](std::string_view c) { receiver.dataReceived(c); });
    benchmark::DoNotOptimize(receiver.bytes);
  }
  if (receiver.bytes != state.iterations() * kMessages * payload().size()) {
    state.SkipWithError("strings lost");
  }
  report(state, input.size(), kMessages);
}

// 1 KiB strings, u32le, fed in chunks of range(0) bytes.
void BM_IntN1KiB(benchmark::State& state) {
  static const std::string input = [] {
    std::string s;
    for (int i = 0; i < 1024; ++i) {
      weft::appendLengthPrefixed(s, weft::PrefixFormat::U32LE, std::string(1024, 'x'));
    }
    return s;
  }();
  const auto chunk = static_cast<size_t>(state.range(0));
  weft::testing::StringTransport transport;
  CountingStrings receiver(weft::PrefixFormat::U32LE);
  receiver.makeConnection(transport);
  for (auto _ : state) {
    feedChunks(input, chunk, [&](std::string_view c) { receiver.dataReceived(c); });
    benchmark::DoNotOptimize(receiver.bytes);
  }
  report(state, input.size(), 1024);
}

// One 1 MiB line in chunks of range(0) bytes: per-byte cost must not depend on the chunk size.
template <class Receiver>
void BM_OneMiBLine(benchmark::State& state) {
  static const std::string input = std::string(1 << 20, 'x') + "\r\n";
  const auto chunk = static_cast<size_t>(state.range(0));
  weft::testing::StringTransport transport;
  CountingLines<Receiver> receiver("\r\n", 2 << 20);
  receiver.makeConnection(transport);
  for (auto _ : state) {
    feedChunks(input, chunk, [&](std::string_view c) { receiver.dataReceived(c); });
    benchmark::DoNotOptimize(receiver.bytes);
  }
  report(state, input.size(), 1);
}

// Linearity across sizes: a 256 KiB, 1 MiB and 4 MiB line, all in 64-byte chunks, must cost
// the same per byte (a quadratic buffer would be 16x slower per byte at 4 MiB than 256 KiB).
void BM_LongLineScaling(benchmark::State& state) {
  const std::string input = std::string(static_cast<size_t>(state.range(0)), 'x') + "\r\n";
  weft::testing::StringTransport transport;
  CountingLines<weft::LineReceiver> receiver("\r\n", input.size());
  receiver.makeConnection(transport);
  for (auto _ : state) {
    feedChunks(input, 64, [&](std::string_view c) { receiver.dataReceived(c); });
    benchmark::DoNotOptimize(receiver.bytes);
  }
  report(state, input.size(), 1);
}

void chunkSizes(benchmark::internal::Benchmark* b) {
  for (int c : {16, 64, 256, 1024}) b->Arg(c);
}

BENCHMARK(BM_MemchrBaseline)->Apply(chunkSizes);
BENCHMARK_TEMPLATE(BM_Lines, weft::LineReceiver)->Apply(chunkSizes);
BENCHMARK_TEMPLATE(BM_Lines, weft::LineOnlyReceiver)->Apply(chunkSizes);
BENCHMARK(BM_IntNu32le)->Apply(chunkSizes);
BENCHMARK(BM_Netstring)->Apply(chunkSizes);
BENCHMARK(BM_IntN1KiB)->Arg(1024)->Arg(16384)->Arg(65536);
BENCHMARK_TEMPLATE(BM_OneMiBLine, weft::LineReceiver)->Arg(64)->Arg(1024);
BENCHMARK_TEMPLATE(BM_OneMiBLine, weft::LineOnlyReceiver)->Arg(64)->Arg(1024);
BENCHMARK(BM_LongLineScaling)->Arg(256 << 10)->Arg(1 << 20)->Arg(4 << 20);

}  // namespace

BENCHMARK_MAIN();
