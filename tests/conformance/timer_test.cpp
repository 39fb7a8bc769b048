// DelayedCall semantics on every reactor: ordering, FIFO ties (Twisted #6718 has none),
// cancel/reset/delay, never early on the monotonic clock, callLater(0) from a timer.
#include "reactor_fixture.hpp"

namespace weft::test {
namespace {

class TimerTest : public ReactorTest {};

TEST_P(TimerTest, FireInDeadlineOrder) {
  std::vector<int> order;
  reactor->callLater(Duration(0.03), [&] { order.push_back(3); });
  reactor->callLater(Duration(0.01), [&] { order.push_back(1); });
  reactor->callLater(Duration(0.02), [&] { order.push_back(2); });
  reactor->callLater(Duration(0.04), [&] { reactor->stop(); });
  runReactor();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST_P(TimerTest, EqualDeadlinesFireInFifoOrder) {
  // Same deadline: schedule all from inside one callback so "now" is identical for each.
  std::vector<int> order;
  reactor->callWhenRunning([&] {
    for (int i = 0; i < 100; ++i)
      reactor->callLater(Duration(0), [&order, i] { order.push_back(i); });
    reactor->callLater(Duration(0.01), [&] { reactor->stop(); });
  });
  runReactor();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST_P(TimerTest, NeverFiresEarly) {
  std::vector<double> lateness;
  for (double d : {0.001, 0.005, 0.02, 0.05}) {
    auto start = Clock::now();
    reactor->callLater(Duration(d), [&, start, d] {
      lateness.push_back(Duration(Clock::now() - start).count() - d);
      if (lateness.size() == 4) reactor->stop();
    });
  }
  runReactor();
  ASSERT_EQ(lateness.size(), 4u);
  for (double l : lateness) EXPECT_GE(l, 0.0);
}

TEST_P(TimerTest, CancelPreventsTheCallAndSecondCancelThrows) {
  bool fired = false;
  auto dc = reactor->callLater(Duration(0.01), [&] { fired = true; });
  EXPECT_TRUE(dc.active());
  dc.cancel();
  EXPECT_FALSE(dc.active());
  try {
    dc.cancel();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::AlreadyCancelled);
  }
  reactor->callLater(Duration(0.03), [&] { reactor->stop(); });
  runReactor();
  EXPECT_FALSE(fired);
}

TEST_P(TimerTest, CancelAfterCallThrowsAlreadyCalled) {
  DelayedCall dc = reactor->callLater(Duration(0), [] {});
  reactor->callLater(Duration(0.01), [&] {
    EXPECT_FALSE(dc.active());
    try {
      dc.cancel();
      ADD_FAILURE();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::AlreadyCalled);
    }
    reactor->stop();
  });
  runReactor();
}

TEST_P(TimerTest, ResetMovesTheDeadlineBothWays) {
  std::vector<std::string> order;
  auto a = reactor->callLater(Duration(0.01), [&] { order.push_back("a"); });
  auto b = reactor->callLater(Duration(0.05), [&] { order.push_back("b"); });
  a.reset(Duration(0.08));   // later
  b.reset(Duration(0.001));  // earlier
  auto start = Clock::now();
  double aAt = 0;
  auto c = reactor->callLater(Duration(0.5), [] {});
  c.cancel();
  reactor->callLater(Duration(0.1), [&] {
    aAt = a.getTime();
    reactor->stop();
  });
  runReactor();
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a"}));
  EXPECT_GE(aAt, toSeconds(start) + 0.08 - 1e-3);
}

TEST_P(TimerTest, DelayPushesBack) {
  auto start = Clock::now();
  double firedAfter = -1;
  auto dc = reactor->callLater(Duration(0.01), [&] {
    firedAfter = Duration(Clock::now() - start).count();
    reactor->stop();
  });
  dc.delay(Duration(0.04));
  EXPECT_NEAR(dc.getTime() - toSeconds(start), 0.05, 0.01);
  runReactor();
  EXPECT_GE(firedAfter, 0.05);
}

TEST_P(TimerTest, CallLaterZeroFromATimerRunsNextIteration) {
  std::vector<std::string> order;
  reactor->callLater(Duration(0), [&] {
    order.push_back("first");
    reactor->callLater(Duration(0), [&] { order.push_back("nested"); });
  });
  reactor->callLater(Duration(0), [&] { order.push_back("second"); });
  reactor->iterate(Duration(0));
  // One iterate = tick, wait, tick: the nested call may run only in a later tick than "second".
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], "first");
  EXPECT_EQ(order[1], "second");
  reactor->iterate(Duration(0));
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "nested"}));
}

TEST_P(TimerTest, ManyCancelledTimersAreCompacted) {
  std::vector<DelayedCall> calls;
  for (int i = 0; i < 1000; ++i) calls.push_back(reactor->callLater(Duration(100), [] {}));
  for (int i = 0; i < 900; ++i) calls[i].cancel();
  EXPECT_EQ(reactor->pendingDelayedCalls(), 100u);
  for (int i = 900; i < 1000; ++i) calls[i].cancel();
  EXPECT_EQ(reactor->pendingDelayedCalls(), 0u);
}

TEST_P(TimerTest, DistantDelayedCallDoesNotBreakTheWait) {
  reactor->callLater(Duration(1e9), [] {});  // far beyond epoll's int milliseconds
  reactor->callLater(Duration(0.01), [&] { reactor->stop(); });
  EXPECT_TRUE(runReactor(Duration(10)));
}

TEST_P(TimerTest, ATimerCancelsAnotherThatIsDueInTheSameTick) {
  // Both are due when the loop first runs timers (scheduled before run(), deadline now): the
  // first cancels the second, which must then not run, though it was already due.
  bool secondRan = false, secondWasDue = false;
  DelayedCall second;
  reactor->callLater(Duration(0), [&] {
    secondWasDue = second.active() && second.getTime() <= reactor->seconds();
    second.cancel();
  });
  second = reactor->callLater(Duration(0), [&] { secondRan = true; });
  reactor->callLater(Duration(0.02), [&] { reactor->stop(); });
  runReactor();
  EXPECT_TRUE(secondWasDue);
  EXPECT_FALSE(secondRan);
  EXPECT_FALSE(second.active());
}

TEST_P(TimerTest, NegativeDelayRunsLikeZeroInFifoOrder) {
  // A negative delay is taken as 0: the call runs on the next tick, after calls already due,
  // and its deadline is not in the past (Twisted asserts delay >= 0 instead).
  std::vector<int> order;
  const double before = reactor->seconds();
  reactor->callLater(Duration(0), [&] { order.push_back(1); });
  auto negative = reactor->callLater(Duration(-5), [&] { order.push_back(2); });
  reactor->callLater(Duration(-1e9), [&] { order.push_back(3); });
  reactor->callLater(Duration(0), [&] { order.push_back(4); });
  EXPECT_GE(negative.getTime(), before);
  reactor->callLater(Duration(0.01), [&] { reactor->stop(); });
  runReactor();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

WEFT_INSTANTIATE_FOR_EVERY_REACTOR(TimerTest);

}  // namespace
}  // namespace weft::test
