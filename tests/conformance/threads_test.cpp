// callFromThread from many threads, callInThread on the bounded pool, thread-safe stop.
#include <atomic>
#include <thread>

#include "reactor_fixture.hpp"

namespace weft::test {
namespace {

class ThreadsTest : public ReactorTest {};

TEST_P(ThreadsTest, CallFromThreadFromManyThreadsRunsEveryCallInPerThreadOrder) {
  constexpr int kThreads = 8, kCalls = 2000;
  std::vector<std::vector<int>> seen(kThreads);
  int total = 0;
  std::vector<std::thread> threads;
  reactor->callWhenRunning([&] {
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kCalls; ++i) {
          reactor->callFromThread([&, t, i] {
            EXPECT_TRUE(reactor->isInIOThread());
            seen[t].push_back(i);
            if (++total == kThreads * kCalls) reactor->stop();
          });
        }
      });
    }
  });
  EXPECT_TRUE(runReactor(Duration(30)));
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<size_t>(kCalls));
    for (int i = 0; i < kCalls; ++i) ASSERT_EQ(seen[t][i], i);
  }
}

TEST_P(ThreadsTest, CallInThreadRunsOffTheLoopAndReportsBack) {
  std::atomic<int> offLoop{0};
  int results = 0;
  reactor->callWhenRunning([&] {
    for (int i = 0; i < 50; ++i) {
      reactor->callInThread([&] {
        if (!reactor->isInIOThread()) ++offLoop;
        reactor->callFromThread([&] {
          if (++results == 50) reactor->stop();
        });
      });
    }
  });
  EXPECT_TRUE(runReactor(Duration(30)));
  EXPECT_EQ(offLoop.load(), 50);
  EXPECT_EQ(results, 50);
}

TEST_P(ThreadsTest, BusyThreadPoolIsJoinedAtShutdown) {
  std::atomic<bool> finished{false};
  bool duringSawFinished = false;
  reactor->addSystemEventTrigger(Phase::After, SystemEvent::Shutdown,
                                 [&] { duringSawFinished = finished.load(); });
  reactor->callWhenRunning([&] {
    reactor->callInThread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      finished = true;
    });
    reactor->stop();
  });
  runReactor();
  EXPECT_TRUE(duringSawFinished) << "the pool must be joined before run() returns";
}

TEST_P(ThreadsTest, StopFromAThreadPoolJob) {
  reactor->callWhenRunning([&] { reactor->callInThread([&] { reactor->stop(); }); });
  EXPECT_TRUE(runReactor(Duration(10)));
}

TEST_P(ThreadsTest, CallFromThreadBeforeRunRunsOnceTheReactorRuns) {
  bool ran = false, wasRunning = false, onLoopThread = false;
  std::thread([&] {
    reactor->callFromThread([&] {
      ran = true;
      wasRunning = reactor->running();
      onLoopThread = reactor->isInIOThread();
      reactor->stop();
    });
  }).join();
  EXPECT_FALSE(ran);
  EXPECT_TRUE(runReactor(Duration(10)));
  EXPECT_TRUE(ran);
  EXPECT_TRUE(wasRunning);
  EXPECT_TRUE(onLoopThread);
}

TEST_P(ThreadsTest, CallFromThreadAfterStopWaitsForTheNextRun) {
  // Queued once run() has returned: not lost, not run on the caller's thread, and run by the
  // next run() on the loop thread.
  reactor->callWhenRunning([&] { reactor->stop(); });
  ASSERT_TRUE(runReactor(Duration(10)));
  int ran = 0;
  bool onLoopThread = false;
  std::thread([&] {
    reactor->callFromThread([&] {
      ++ran;
      onLoopThread = reactor->isInIOThread();
    });
  }).join();
  EXPECT_EQ(ran, 0);
  reactor->callWhenRunning([&] { reactor->callLater(Duration(0.01), [&] { reactor->stop(); }); });
  EXPECT_TRUE(runReactor(Duration(10)));
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(onLoopThread);
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(ThreadsTest);

}  // namespace
}  // namespace weft::test
