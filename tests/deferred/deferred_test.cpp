// Deferred<T> and Failure, without a reactor: the behaviours of Twisted's test_defer.py
// (DeferredTests, DeferredCancellerTests, the unhandled-error tests) in typed form.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_capture.hpp"
#include "weft/deferred.hpp"
#include "weft/deferred_helpers.hpp"

namespace weft::test {
namespace {

struct OtherError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(Deferred, CallbackRunsTheChainInOrder) {
  Deferred<int> d;
  std::vector<int> seen;
  d.addCallback([&](int v) {
     seen.push_back(v);
     return v + 1;
   })
      .addCallback([&](int v) {
        seen.push_back(v);
        return v * 10;
      })
      .addCallback([&](int v) { seen.push_back(v); });
  EXPECT_TRUE(seen.empty()) << "nothing runs before the Deferred fires";
  d.callback(1);
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 20}));
}

TEST(Deferred, SecondFireIsAlreadyCalledAndTheFirstResultStands) {
  Deferred<int> d;
  d.callback(1);
  EXPECT_THROW(d.callback(2), AlreadyCalledError);
  EXPECT_THROW(d.errback(Failure(std::runtime_error("late"))), AlreadyCalledError);
  int got = 0;
  d.addCallback([&](int v) { got = v; });
  EXPECT_EQ(got, 1);
}

TEST(Deferred, ErrbackThenCallbackIsAlreadyCalled) {
  Deferred<int> d;
  d.errback(Failure(std::runtime_error("first")));
  EXPECT_THROW(d.callback(2), AlreadyCalledError);
  std::string message;
  d.addErrback([&](const Failure& f) {
    message = f.message();
    return 0;
  });
  EXPECT_EQ(message, "first");
}

TEST(Deferred, ACallbackFromTToUGivesAChainOfU) {
  Deferred<int> d;
  Deferred<std::string> s = d.addCallback([](int v) { return std::to_string(v) + "!"; });
  Deferred<size_t> n = s.addCallback([](std::string v) { return v.size(); });
  size_t got = 0;
  n.addCallback([&](size_t v) { got = v; });
  d.callback(123);
  EXPECT_EQ(got, 4u);
}

TEST(Deferred, AStepAddedThroughAStaleHandleIsALogicError) {
  Deferred<int> d;
  auto s = d.addCallback([](int v) { return std::to_string(v); });
  EXPECT_THROW(d.addCallback([](int v) { return v; }), std::logic_error);
  EXPECT_THROW(s.callback("x"), std::logic_error) << "only the head's type fires the chain";
}

TEST(Deferred, CallbacksAddedAfterFiringRunAtOnce) {
  Deferred<int> d;
  d.callback(5);
  int got = 0;
  d.addCallback([&](int v) {
    got = v;
    return v;
  });
  EXPECT_EQ(got, 5);
}

TEST(Deferred, ACallbackThatThrowsRunsTheNextErrback) {
  // test_defer's testCallbackErrors / the errback-after-raising-callback behaviour.
  Deferred<int> d;
  std::vector<std::string> order;
  d.addCallback([&](int) -> int {
     order.push_back("cb1");
     throw OtherError("from cb1");
   })
      .addCallback([&](int v) {
        order.push_back("cb2 (must not run)");
        return v;
      })
      .addErrback([&](const Failure& f) {
        order.push_back("eb: " + f.message());
        EXPECT_TRUE(f.check<OtherError>());
        return 7;
      })
      .addCallback([&](int v) { order.push_back("cb3: " + std::to_string(v)); });
  d.callback(1);
  EXPECT_EQ(order, (std::vector<std::string>{"cb1", "eb: from cb1", "cb3: 7"}));
}

TEST(Deferred, AddCallbacksErrbackDoesNotSeeItsOwnCallbacksError) {
  Deferred<int> d;
  bool sameLevelErrbackRan = false;
  std::string laterErrback;
  d.addCallbacks([](int) -> int { throw OtherError("cb"); },
                 [&](const Failure&) {
                   sameLevelErrbackRan = true;
                   return 0;
                 })
      .addErrback([&](const Failure& f) {
        laterErrback = f.message();
        return 0;
      });
  d.callback(1);
  EXPECT_FALSE(sameLevelErrbackRan);
  EXPECT_EQ(laterErrback, "cb");
}

TEST(Deferred, AddCallbacksRunsItsErrbackForAnIncomingFailure) {
  Deferred<int> d;
  int got = 0;
  d.addCallbacks([](int v) { return v; }, [](const Failure&) { return 99; })
      .addCallback([&](int v) { got = v; });
  d.errback(Failure(OtherError("x")));
  EXPECT_EQ(got, 99);
}

TEST(Deferred, AddBothRunsOnEitherSide) {
  for (bool fail : {false, true}) {
    Deferred<int> d;
    int calls = 0;
    bool sawFailure = false;
    d.addBoth([&](Outcome<int> o) {
       ++calls;
       sawFailure = !o.ok();
       return o;  // pass through, as a `finally`
     })
        .addErrback([](const Failure&) { return 0; });
    if (fail) {
      d.errback(Failure(OtherError("x")));
    } else {
      d.callback(1);
    }
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(sawFailure, fail);
  }
}

TEST(Deferred, ReturningADeferredPausesTheChainUntilItFires) {
  Deferred<int> outer;
  Deferred<std::string> inner;
  std::string got;
  outer.addCallback([&](int) { return inner; }).addCallback([&](std::string s) { got = s; });
  outer.callback(1);
  EXPECT_TRUE(outer.paused());
  EXPECT_EQ(got, "");
  inner.callback("from inner");
  EXPECT_FALSE(outer.paused());
  EXPECT_EQ(got, "from inner");
}

TEST(Deferred, AnInnerFailureContinuesDownTheOuterErrbacks) {
  LogCapture logs;
  Deferred<int> outer;
  Deferred<int> inner;
  std::string got;
  outer.addCallback([&](int) { return inner; }).addErrback([&](const Failure& f) {
    got = f.message();
    return 0;
  });
  outer.callback(1);
  inner.errback(Failure(OtherError("inner failed")));
  EXPECT_EQ(got, "inner failed");
  inner = Deferred<int>();
  outer = Deferred<int>();
  EXPECT_TRUE(logs.lines.empty()) << "the inner failure was handled by the outer chain";
}

TEST(Deferred, ReturningAFiredDeferredContinuesAtOnce) {
  Deferred<int> d;
  int got = 0;
  d.addCallback([](int v) { return succeed(v * 2); }).addCallback([&](int v) { got = v; });
  d.callback(21);
  EXPECT_EQ(got, 42);
}

TEST(Deferred, ACallbackReturningItsOwnDeferredFails) {
  Deferred<int> d;
  std::string message;
  d.addCallback([&d](int) { return d; }).addErrback([&](const Failure& f) {
    message = f.message();
    return 0;
  });
  d.callback(1);
  EXPECT_NE(message.find("same Deferred"), std::string::npos) << message;
}

TEST(Deferred, CancelWithoutCancellerFailsWithCancelledError) {
  Deferred<int> d;
  bool cancelled = false;
  d.addErrback([&](const Failure& f) {
    cancelled = f.check<CancelledError>();
    return 0;
  });
  d.cancel();
  EXPECT_TRUE(cancelled);
  EXPECT_NO_THROW(d.callback(3)) << "the cancelled work's late result is ignored";
}

TEST(Deferred, CancellerRunsAndMayFireTheDeferredItself) {
  int cancellerCalls = 0;
  Deferred<int> d([&](Deferred<int>& self) {
    ++cancellerCalls;
    self.callback(-1);
  });
  int got = 0;
  d.addCallback([&](int v) { got = v; });
  d.cancel();
  EXPECT_EQ(cancellerCalls, 1);
  EXPECT_EQ(got, -1) << "a canceller that fires decides the result";
}

TEST(Deferred, CancellerThatDoesNotFireLeavesCancelledError) {
  int cancellerCalls = 0;
  Deferred<int> d([&](Deferred<int>&) { ++cancellerCalls; });
  bool cancelled = false;
  d.addErrback([&](const Failure& f) {
    cancelled = f.check<CancelledError>();
    return 0;
  });
  d.cancel();
  EXPECT_EQ(cancellerCalls, 1);
  EXPECT_TRUE(cancelled);
}

TEST(Deferred, CancelOfAFiredDeferredDoesNothing) {
  int cancellerCalls = 0;
  Deferred<int> d([&](Deferred<int>&) { ++cancellerCalls; });
  d.callback(4);
  d.cancel();
  int got = 0;
  d.addCallback([&](int v) { got = v; });
  EXPECT_EQ(cancellerCalls, 0);
  EXPECT_EQ(got, 4);
}

TEST(Deferred, CancellingAPausedChainCancelsTheInnerDeferred) {
  int innerCancels = 0;
  Deferred<int> inner([&](Deferred<int>&) { ++innerCancels; });
  Deferred<int> outer;
  bool outerCancelled = false;
  outer.addCallback([&](int) { return inner; }).addErrback([&](const Failure& f) {
    outerCancelled = f.check<CancelledError>();
    return 0;
  });
  outer.callback(1);
  ASSERT_TRUE(outer.paused());
  outer.cancel();
  EXPECT_EQ(innerCancels, 1);
  EXPECT_TRUE(outerCancelled) << "the inner CancelledError reaches the outer errback";
}

TEST(Deferred, UnhandledFailureIsLoggedWhenTheLastHandleGoes) {
  LogCapture logs;
  {
    Deferred<int> d;
    d.addCallback([](int) -> int { throw OtherError("nobody handles this"); });
    d.callback(1);
    EXPECT_TRUE(logs.lines.empty()) << "logged only when the Deferred goes";
  }
  ASSERT_EQ(logs.lines.size(), 1u);
  EXPECT_NE(logs.lines[0].find("Unhandled error in Deferred"), std::string::npos);
  EXPECT_NE(logs.lines[0].find("OtherError"), std::string::npos) << logs.lines[0];
  EXPECT_NE(logs.lines[0].find("nobody handles this"), std::string::npos) << logs.lines[0];
}

TEST(Deferred, HandledFailureIsNotLogged) {
  LogCapture logs;
  {
    Deferred<int> d;
    d.addErrback([](const Failure&) { return 0; });
    d.errback(Failure(OtherError("handled")));
  }
  EXPECT_TRUE(logs.lines.empty());
}

TEST(Deferred, TrapPassesOtherErrorsOnWithTheirOrigin) {
  Deferred<int> d;
  bool trapped = false;
  unsigned originLine = 0;
  std::string passedOn;
  d.addErrback([&](const Failure& f) {
     f.trap<std::invalid_argument>();  // rethrows anything else
     trapped = true;
     return 0;
   })
      .addErrback([&](const Failure& f) {
        passedOn = f.typeName();
        originLine = f.where().line();
        return 0;
      });
  unsigned line = weft::SourceLocation::current().line() + 1;
  d.errback(Failure(OtherError("not trapped")));
  EXPECT_FALSE(trapped);
  EXPECT_NE(passedOn.find("OtherError"), std::string::npos) << passedOn;
  EXPECT_EQ(originLine, line) << "the Failure keeps where it was raised";
}

TEST(Deferred, TrapHandlesTheTypesItNames) {
  Deferred<int> d;
  int got = 0;
  d.addErrback([](const Failure& f) {
     f.trap<std::logic_error, std::invalid_argument>();
     return 5;
   })
      .addCallback([&](int v) { got = v; });
  d.errback(Failure(std::invalid_argument("bad")));
  EXPECT_EQ(got, 5);
}

TEST(Failure, HoldsTheExceptionItsTypeMessageAndOrigin) {
  unsigned line = weft::SourceLocation::current().line() + 1;
  Failure f(OtherError("boom"));
  EXPECT_NE(f.typeName().find("OtherError"), std::string::npos) << f.typeName();
  EXPECT_EQ(f.message(), "boom");
  EXPECT_EQ(f.where().line(), line);
  EXPECT_TRUE(f.check<std::runtime_error>()) << "check matches base classes";
  EXPECT_FALSE(f.check<std::logic_error>());
  EXPECT_THROW(f.rethrow(), OtherError);
  EXPECT_NE(f.describe().find("deferred_test.cpp"), std::string::npos) << f.describe();
}

TEST(Failure, FromTheExceptionBeingHandled) {
  try {
    throw std::out_of_range("range");
  } catch (...) {
    Failure f(std::current_exception());
    EXPECT_EQ(f.typeName(), "std::out_of_range");
    EXPECT_EQ(f.message(), "range");
  }
}

TEST(Deferred, VoidChains) {
  Deferred<void> d;
  int calls = 0;
  d.addCallback([&] { ++calls; }).addCallback([&] { return ++calls; });
  d.callback();
  EXPECT_EQ(calls, 2);
}

TEST(Deferred, LongChainsSpillPastTheInlineSteps) {
  Deferred<int> d;
  Deferred<int> tail = d;
  for (int i = 0; i < 20; ++i) tail = tail.addCallback([](int v) { return v + 1; });
  int got = 0;
  tail.addCallback([&](int v) { got = v; });
  d.callback(0);
  EXPECT_EQ(got, 20);
}

TEST(Deferred, MoveOnlyValuesTravelTheChain) {
  Deferred<std::unique_ptr<int>> d;
  int got = 0;
  d.addCallback([](std::unique_ptr<int> p) { return *p + 1; }).addCallback([&](int v) {
    got = v;
  });
  d.callback(std::make_unique<int>(41));
  EXPECT_EQ(got, 42);
}

TEST(DeferredHelpers, SucceedFailAndMaybeDeferred) {
  int got = 0;
  succeed(3).addCallback([&](int v) { got = v; });
  EXPECT_EQ(got, 3);

  std::string message;
  fail<int>(Failure(OtherError("f"))).addErrback([&](const Failure& f) {
    message = f.message();
    return 0;
  });
  EXPECT_EQ(message, "f");

  maybeDeferred([] { return 8; }).addCallback([&](int v) { got = v; });
  EXPECT_EQ(got, 8);
  maybeDeferred([]() -> int { throw OtherError("thrown"); }).addErrback([&](const Failure& f) {
    message = f.message();
    return 0;
  });
  EXPECT_EQ(message, "thrown");
  Deferred<int> pending;
  auto same = maybeDeferred([&] { return pending; });
  same.addCallback([&](int v) { got = v; });
  pending.callback(13);
  EXPECT_EQ(got, 13);
}

}  // namespace
}  // namespace weft::test
