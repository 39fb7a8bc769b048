// The write path's per-message cost, without sockets: the replies of one read queued the way
// the echo servers queue them (a length prefix or a delimiter built elsewhere, then the payload
// as a view of the read), gathered and sent. Pipelined 64-byte messages at 64 connections
// spend most of the server's user time here, so this is where that cost is measured.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "weft/detail/write_queue.hpp"

namespace {

using weft::detail::WriteQueue;

constexpr size_t kPayload = 64;

void sendAll(WriteQueue& q) {
  std::array<std::string_view, 64> views;
  size_t n = q.gather(views);
  benchmark::DoNotOptimize(views.data());
  benchmark::DoNotOptimize(n);
  q.consume(q.size());
}

// Frames of a 4-byte little-endian prefix and 64 bytes, echoed as prefix + payload.
void BM_EchoLengthPrefixed(benchmark::State& state) {
  const auto frames = static_cast<size_t>(state.range(0));
  std::string read;
  for (size_t i = 0; i < frames; ++i) {
    const uint32_t len = kPayload;
    read.append(reinterpret_cast<const char*>(&len), 4);
    read.append(kPayload, char('a' + i % 26));
  }
  WriteQueue q;
  for (auto _ : state) {
    WriteQueue::Loan loan(q, read);
    for (size_t at = 0; at < read.size(); at += 4 + kPayload) {
      char prefix[4];
      std::memcpy(prefix, read.data() + at, 4);  // as encodePrefix would build it
      benchmark::DoNotOptimize(prefix);
      q.append(std::string_view(prefix, 4));
      q.append(std::string_view(read.data() + at + 4, kPayload));
    }
    sendAll(q);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * frames));
}

// Lines of 64 bytes ending in '\n', echoed as line + delimiter (the delimiter not in the read).
void BM_EchoLines(benchmark::State& state) {
  const auto lines = static_cast<size_t>(state.range(0));
  std::string read;
  for (size_t i = 0; i < lines; ++i) read.append(kPayload, char('a' + i % 26)).append("\n");
  const std::string delimiter = "\n";
  WriteQueue q;
  for (auto _ : state) {
    WriteQueue::Loan loan(q, read);
    for (size_t at = 0; at < read.size(); at += kPayload + 1) {
      q.append(std::string_view(read.data() + at, kPayload));
      q.append(delimiter);
    }
    sendAll(q);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines));
}

BENCHMARK(BM_EchoLengthPrefixed)->Arg(1)->Arg(16);
BENCHMARK(BM_EchoLines)->Arg(1)->Arg(16);

}  // namespace
