// Task<T> coroutines on every reactor (Qt's loop included): resumed by the reactor's timers and
// by a Deferred fired from another thread through callFromThread, cancelled by a timeout, and
// a reactor stopped and destroyed while a coroutine is suspended (it is destroyed, its locals
// released, and its Deferred fails with AbandonedError: never left dangling).
#include <optional>
#include <thread>

#include "reactor_fixture.hpp"
#include "weft/deferred.hpp"
#include "weft/deferred_reactor.hpp"
#include "weft/task.hpp"

namespace weft::test {
namespace {

class CoroutineTest : public ReactorTest {
 protected:
  void TearDown() override {
    if (worker.joinable()) worker.join();
    ReactorTest::TearDown();
  }
  std::thread worker;
};

struct Tracker {
  explicit Tracker(int& live) : live_(live) { ++live_; }
  ~Tracker() { --live_; }
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;
  int& live_;
};

TEST_P(CoroutineTest, ResumedByTheReactorsTimers) {
  std::vector<int> order;
  auto body = [&]() -> Task<int> {
    order.push_back(1);
    int a = co_await deferLater(*reactor, Duration(0.002), [] { return 20; });
    order.push_back(2);
    int b = co_await deferLater(*reactor, Duration(0), [] { return 22; });
    order.push_back(3);
    co_return a + b;
  };
  std::optional<int> got;
  reactor->callWhenRunning([&] {
    ensureDeferred(body()).addCallback([&](int v) {
      got = v;
      stopQuietly();
    });
    order.push_back(0);  // the coroutine suspended: control came back here first
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(got, 42);
  EXPECT_EQ(order, (std::vector<int>{1, 0, 2, 3}));
}

TEST_P(CoroutineTest, ADeferredFiredFromAnotherThreadResumesOnTheReactorThread) {
  Deferred<int> fromThread;
  std::optional<int> got;
  bool resumedOnReactorThread = false;
  auto body = [&](Deferred<int> d) -> Task<void> {
    got = co_await std::move(d);
    resumedOnReactorThread = reactor->isInIOThread();
  };
  reactor->callWhenRunning([&] {
    ensureDeferred(body(fromThread)).addBoth([&](Outcome<void>) { stopQuietly(); });
    worker = std::thread([r = reactor.get(), d = fromThread]() mutable {
      r->callFromThread([d = std::move(d)]() mutable { d.callback(7); });
    });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(got, 7);
  EXPECT_TRUE(resumedOnReactorThread);
}

TEST_P(CoroutineTest, ATimeoutCancelsTheAwaitedDeferredInsideTheCoroutine) {
  bool timedOut = false;
  bool timerCancelled = false;
  auto body = [&]() -> Task<void> {
    Deferred<int> slow = deferLater(*reactor, Duration(60), [] { return 0; });
    slow.addErrback([&](const Failure& f) -> int {
      timerCancelled = f.check<CancelledError>();
      f.rethrow();
    });
    try {
      co_await addTimeout(std::move(slow), Duration(0.01), *reactor);
    } catch (const TimedOutError&) {
      timedOut = true;
    }
  };
  reactor->callWhenRunning(
      [&] { ensureDeferred(body()).addBoth([&](Outcome<void>) { stopQuietly(); }); });
  EXPECT_TRUE(runReactor());
  EXPECT_TRUE(timedOut);
  EXPECT_TRUE(timerCancelled);
}

TEST_P(CoroutineTest, AReactorStoppedWhileACoroutineIsSuspendedDestroysIt) {
  int live = 0;
  bool resumed = false;
  auto body = [&]() -> Task<void> {
    Tracker t(live);
    co_await deferLater(*reactor, Duration(60), [] {});
    resumed = true;
  };
  std::optional<Outcome<void>> result;
  reactor->callWhenRunning([&] {
    ensureDeferred(body()).addBoth([&](Outcome<void> o) { result.emplace(std::move(o)); });
    reactor->callLater(Duration(0.005), [&] { stopQuietly(); });
  });
  EXPECT_TRUE(runReactor());
  EXPECT_EQ(live, 1) << "suspended on the pending timer, locals alive";
  EXPECT_FALSE(result);
  reactor.reset();  // the pending timer, the Deferred it owns, and the coroutine go with it
  EXPECT_EQ(live, 0) << "the suspended coroutine was left dangling";
  EXPECT_FALSE(resumed);
  ASSERT_TRUE(result) << "the coroutine's Deferred hangs";
  EXPECT_TRUE(result->failure().check<AbandonedError>());
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(CoroutineTest);

}  // namespace
}  // namespace weft::test
