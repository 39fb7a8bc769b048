// callFromThread throughput from 1 and 4 producer threads into a running epoll reactor.
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>
#include <vector>

#include "weft/registry.hpp"

namespace {

void BM_CallFromThread(benchmark::State& state) {
  const int producers = static_cast<int>(state.range(0));
  constexpr int kCallsPerProducer = 200000;
  for (auto _ : state) {
    auto reactor = weft::makeReactor("epoll");
    std::atomic<int> remaining{producers * kCallsPerProducer};
    std::vector<std::thread> threads;
    reactor->callWhenRunning([&] {
      for (int p = 0; p < producers; ++p) {
        threads.emplace_back([&] {
          for (int i = 0; i < kCallsPerProducer; ++i) {
            reactor->callFromThread([&] {
              if (remaining.fetch_sub(1, std::memory_order_relaxed) == 1) reactor->stop();
            });
          }
        });
      }
    });
    reactor->run();
    for (auto& t : threads) t.join();
  }
  state.SetItemsProcessed(state.iterations() * producers * kCallsPerProducer);
}

BENCHMARK(BM_CallFromThread)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
