// callLater + cancel and callLater + fire with N pending timers, beside a plain
// std::priority_queue push/pop of the same payload (deadline, sequence, std::function) in the
// same binary: the baseline the "within 2x" is measured against.
#include <benchmark/benchmark.h>

#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "weft/detail/timer_heap.hpp"

namespace {

using weft::Clock;
using weft::TimePoint;

std::vector<TimePoint> deadlines(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> d(1'000'000, 10'000'000'000);  // 1 ms .. 10 s
  TimePoint base = Clock::now() + std::chrono::hours(1);  // never due during the benchmark
  std::vector<TimePoint> v(n);
  for (auto& t : v) t = base + std::chrono::nanoseconds(d(rng));
  return v;
}

struct PqItem {
  TimePoint when;
  uint64_t seq;
  std::function<void()> fn;
  bool operator<(const PqItem& o) const { return when != o.when ? when > o.when : seq > o.seq; }
};

// Baseline: with N items queued, one push and one pop per iteration.
void BM_PriorityQueuePushPop(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto ds = deadlines(n + 4096, 1);
  std::priority_queue<PqItem> pq;
  uint64_t seq = 0;
  for (size_t i = 0; i < n; ++i) pq.push(PqItem{ds[i], seq++, [] {}});
  size_t k = 0;
  for (auto _ : state) {
    pq.push(PqItem{ds[k++ & 4095], seq++, [] {}});
    pq.pop();
  }
  state.SetItemsProcessed(state.iterations());
}

// weft: with N pending timers, one callLater and one cancel per iteration (lazy cancel and
// compaction included).
void BM_CallLaterCancel(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto ds = deadlines(n + 4096, 1);
  weft::detail::TimerHeap heap;
  std::vector<weft::DelayedCall> keep;
  keep.reserve(n);
  for (size_t i = 0; i < n; ++i) keep.push_back(heap.schedule(ds[i], [] {}));
  size_t k = 0;
  for (auto _ : state) {
    auto dc = heap.schedule(ds[k++ & 4095], [] {});
    dc.cancel();
  }
  state.SetItemsProcessed(state.iterations());
}

// weft: with N pending timers, schedule one that is already due and run it.
void BM_CallLaterFire(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto ds = deadlines(n, 1);
  weft::detail::TimerHeap heap;
  std::vector<weft::DelayedCall> keep;
  keep.reserve(n);
  for (size_t i = 0; i < n; ++i) keep.push_back(heap.schedule(ds[i], [] {}));
  TimePoint past = Clock::now() - std::chrono::seconds(1);
  int fired = 0;
  for (auto _ : state) {
    heap.schedule(past, [&fired] { ++fired; });
    heap.runDue(Clock::now());
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_PriorityQueuePushPop)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK(BM_CallLaterCancel)->RangeMultiplier(10)->Range(1000, 1000000);
BENCHMARK(BM_CallLaterFire)->RangeMultiplier(10)->Range(1000, 1000000);

}  // namespace
