// co_await of an already-fired Deferred allocates nothing: counted with a replaced global
// operator new (its own binary, so no other test shares the replacement).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"
#include "weft/task.hpp"

namespace {
std::atomic<long> gAllocations{0};
}  // namespace

// The replacement the standard allows ([replacement.functions]); malloc underneath, so the
// sanitizers still see every block. At -O2 (the tsan preset) GCC 12 inlines these into the
// test bodies and then reports new + free as mismatched (-Wmismatched-new-delete), though both
// sides are ours; bench/core/deferred_bench.cpp silences it the same way.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace weft::test {
namespace {

constexpr int kAwaits = 10'000;

Task<long> awaitAll(std::vector<Deferred<int>>& ds, long& allocationsDuringAwaits) {
  long sum = 0;
  co_await succeed(0);  // the first await, like every other, must not allocate either
  long before = gAllocations.load();
  for (auto& d : ds) sum += co_await std::move(d);
  allocationsDuringAwaits = gAllocations.load() - before;
  co_return sum;
}

TEST(TaskAllocations, AwaitingAFiredDeferredAllocatesNothing) {
  std::vector<Deferred<int>> ds;
  ds.reserve(kAwaits);
  for (int i = 0; i < kAwaits; ++i) ds.push_back(succeed(1));
  long during = -1;
  Deferred<long> out = ensureDeferred(awaitAll(ds, during));
  long sum = 0;
  out.addCallback([&](long v) { sum = v; });
  EXPECT_EQ(sum, kAwaits);
  EXPECT_EQ(during, 0) << "heap allocations over " << kAwaits << " awaits of fired Deferreds";
  RecordProperty("allocations_per_await", std::to_string(double(during) / kAwaits));
}

TEST(TaskAllocations, TheCounterSeesAllocations) {
  long before = gAllocations.load();
  auto p = std::make_unique<int>(1);
  EXPECT_GT(gAllocations.load(), before) << "the replaced operator new is not in use";
}

}  // namespace
}  // namespace weft::test
