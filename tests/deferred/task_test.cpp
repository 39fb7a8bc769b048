// Task<T> over Deferreds, without a reactor: results, exceptions, cancellation, abandonment
// and stack use. (Twisted's test_defer.py CoroutineContextVarsTests / EnsureDeferredTests
// cover the same promises for `async def`.)
#include <gtest/gtest.h>
#include <pthread.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_capture.hpp"
#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"
#include "weft/task.hpp"

namespace weft::test {
namespace {

// Result of a Deferred that must have fired.
template <class T>
Outcome<T> outcomeOf(Deferred<T>& d) {
  std::optional<Outcome<T>> out;
  d.addBoth([&](Outcome<T> o) { out.emplace(std::move(o)); });
  if (!out) throw std::logic_error("Deferred has not fired");
  return std::move(*out);
}

// Counts its live instances: a frame that was destroyed destroyed its locals.
struct Tracker {
  explicit Tracker(int& live) : live_(live) { ++live_; }
  ~Tracker() { --live_; }
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;
  int& live_;
};

Task<int> addOne(Deferred<int> d) {
  co_return co_await std::move(d) + 1;
}

TEST(Task, AwaitsAFiredDeferredAndReturns) {
  Deferred<int> out = ensureDeferred(addOne(succeed(41)));
  ASSERT_TRUE(out.called());
  EXPECT_EQ(outcomeOf(out).value(), 42);
}

TEST(Task, IsLazyUntilEnsureDeferred) {
  bool ran = false;
  auto body = [&]() -> Task<void> {
    ran = true;
    co_return;
  };
  Task<void> t = body();
  EXPECT_FALSE(ran);
  Deferred<void> d = ensureDeferred(std::move(t));
  EXPECT_TRUE(ran);
  EXPECT_TRUE(d.called());
}

TEST(Task, ResumesWhenAPendingDeferredFires) {
  Deferred<int> inner;
  Deferred<int> out = ensureDeferred(addOne(inner));
  EXPECT_FALSE(out.called());
  inner.callback(1);
  ASSERT_TRUE(out.called());
  EXPECT_EQ(outcomeOf(out).value(), 2);
}

TEST(Task, AnExceptionInTheBodyBecomesTheFailure) {
  auto body = []() -> Task<int> {
    co_await succeed();
    throw std::runtime_error("boom");
  };
  LogCapture log;
  Deferred<int> out = ensureDeferred(body());
  Outcome<int> o = outcomeOf(out);
  ASSERT_FALSE(o.ok());
  EXPECT_TRUE(o.failure().check<std::runtime_error>());
  EXPECT_EQ(o.failure().message(), "boom");
}

TEST(Task, AnUnhandledFailureIsLoggedNotSwallowed) {
  auto body = []() -> Task<void> {
    throw std::runtime_error("nobody listens");
    co_return;
  };
  LogCapture log;
  { (void)ensureDeferred(body()); }
  EXPECT_TRUE(log.contains("Unhandled error in Deferred")) << "the failure was swallowed";
  EXPECT_TRUE(log.contains("nobody listens"));
}

TEST(Task, AFailedDeferredThrowsAtTheAwaitAndCanBeCaught) {
  Deferred<int> inner;
  auto body = [](Deferred<int> d) -> Task<std::string> {
    try {
      co_await std::move(d);
    } catch (const std::invalid_argument& e) {
      co_return std::string("caught ") + e.what();
    }
    co_return "not caught";
  };
  Deferred<std::string> out = ensureDeferred(body(inner));
  inner.errback(Failure(std::invalid_argument("bad")));
  EXPECT_EQ(outcomeOf(out).value(), "caught bad");
}

TEST(Task, AwaitsTasksAndTheirExceptionsComeBack) {
  auto child = [](int v) -> Task<int> {
    if (v < 0) throw std::out_of_range("negative");
    co_return v * 2;
  };
  auto parent = [&]() -> Task<int> {
    int a = co_await child(5);
    try {
      co_await child(-1);
    } catch (const std::out_of_range&) {
      a += 100;
    }
    co_return a;
  };
  Deferred<int> out = ensureDeferred(parent());
  EXPECT_EQ(outcomeOf(out).value(), 110);
}

TEST(Task, CancelCancelsTheDeferredBeingAwaitedInTheInnermostTask) {
  bool cancellerRan = false;
  Deferred<int> inner([&](Deferred<int>&) { cancellerRan = true; });
  bool sawCancel = false;
  auto child = [&](Deferred<int> d) -> Task<int> {
    try {
      co_return co_await std::move(d);
    } catch (const CancelledError&) {
      sawCancel = true;
      throw;
    }
  };
  auto parent = [&]() -> Task<int> { co_return co_await child(inner); };
  Deferred<int> out = ensureDeferred(parent());
  EXPECT_FALSE(out.called());
  out.cancel();
  EXPECT_TRUE(cancellerRan) << "the awaited Deferred's canceller was not called";
  EXPECT_TRUE(sawCancel);
  ASSERT_TRUE(out.called());
  EXPECT_TRUE(outcomeOf(out).failure().check<CancelledError>());
}

TEST(Task, ACoroutineMayRecoverFromCancellation) {
  Deferred<int> inner;
  auto body = [](Deferred<int> d) -> Task<int> {
    try {
      co_return co_await std::move(d);
    } catch (const CancelledError&) {
      co_return -1;
    }
  };
  Deferred<int> out = ensureDeferred(body(inner));
  out.cancel();
  EXPECT_EQ(outcomeOf(out).value(), -1);
}

TEST(Task, CancelAfterCompletionDoesNothing) {
  Deferred<int> out = ensureDeferred(addOne(succeed(1)));
  out.cancel();
  EXPECT_EQ(outcomeOf(out).value(), 2);
}

TEST(Task, DroppingTheAwaitedDeferredDestroysTheSuspendedTreeAndFailsIt) {
  int live = 0;
  std::optional<Deferred<int>> inner{std::in_place};
  auto child = [&]() -> Task<int> {
    Tracker t(live);
    co_return co_await Deferred<int>(*inner);  // a copy: the frame keeps no handle
  };
  auto parent = [&]() -> Task<int> {
    Tracker t(live);
    co_return co_await child();
  };
  Deferred<int> out = ensureDeferred(parent());
  EXPECT_EQ(live, 2) << "both frames are suspended with their locals";
  inner.reset();  // the last handle: the step that would resume the tree goes with it
  EXPECT_EQ(live, 0) << "the suspended frames were not destroyed";
  ASSERT_TRUE(out.called()) << "the Deferred of an abandoned coroutine must not hang";
  EXPECT_TRUE(outcomeOf(out).failure().check<AbandonedError>());
}

TEST(Task, AnUnstartedTaskReleasesItsFrame) {
  auto body = [](std::shared_ptr<int> held) -> Task<void> {
    ++*held;
    co_return;
  };
  auto held = std::make_shared<int>(0);
  {
    Task<void> t = body(held);
    EXPECT_EQ(held.use_count(), 2) << "the frame holds its argument";
  }
  EXPECT_EQ(held.use_count(), 1);
}

// --- stack use: a million synchronous awaits on a 256 KiB stack ---

constexpr int kAwaits = 1'000'000;

Task<int> one() {
  co_return 1;
}

Task<long> manyFiredDeferreds() {
  long sum = 0;
  for (int i = 0; i < kAwaits; ++i) sum += co_await succeed(1);
  co_return sum;
}
Task<long> manySynchronousTasks() {
  long sum = 0;
  for (int i = 0; i < kAwaits; ++i) sum += co_await one();
  co_return sum;
}

// Runs f on a thread whose stack is 256 KiB: without symmetric transfer, each synchronous
// await would nest a frame of resume() calls and overflow it long before a million.
template <class F>
void onSmallStack(F f) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 256 * 1024), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<F*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &f), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

TEST(TaskStack, AMillionFiredDeferredAwaitsOnASmallStack) {
  long sum = 0;
  onSmallStack([&] {
    Deferred<long> d = ensureDeferred(manyFiredDeferreds());
    sum = outcomeOf(d).value();
  });
  EXPECT_EQ(sum, kAwaits);
}

TEST(TaskStack, AMillionSynchronousTaskAwaitsOnASmallStack) {
  long sum = 0;
  onSmallStack([&] {
    Deferred<long> d = ensureDeferred(manySynchronousTasks());
    sum = outcomeOf(d).value();
  });
  EXPECT_EQ(sum, kAwaits);
}

}  // namespace
}  // namespace weft::test
