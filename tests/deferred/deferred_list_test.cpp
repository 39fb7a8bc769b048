// gatherResults and DeferredList with each flag (Twisted's test_defer.py DeferredListTests and
// GatherResultsTests), without a reactor.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "log_capture.hpp"
#include "weft/deferred_list.hpp"

namespace weft::test {
namespace {

struct Boom : std::runtime_error {
  Boom() : std::runtime_error("boom") {}
};

TEST(GatherResults, ValuesInInputOrderOnceAllSucceed) {
  std::vector<Deferred<int>> ds(3);
  std::vector<int> got;
  gatherResults(ds).addCallback([&](std::vector<int> v) { got = v; });
  ds[2].callback(30);
  ds[0].callback(10);
  EXPECT_TRUE(got.empty());
  ds[1].callback(20);
  EXPECT_EQ(got, (std::vector<int>{10, 20, 30}));
}

TEST(GatherResults, EmptyFiresAtOnce) {
  bool fired = false;
  gatherResults(std::vector<Deferred<int>>{}).addCallback([&](std::vector<int> v) {
    fired = v.empty();
  });
  EXPECT_TRUE(fired);
}

TEST(GatherResults, FirstErrorNamesTheIndex) {
  LogCapture logs;
  std::optional<size_t> index;
  std::string inner;
  {
    std::vector<Deferred<int>> ds(3);
    gatherResults(ds, /*consumeErrors=*/true).addErrback([&](const Failure& f) {
      try {
        f.rethrow();
      } catch (const FirstError& e) {
        index = e.index();
        inner = e.failure().message();
      }
      return std::vector<int>{};
    });
    ds[0].callback(1);
    ds[1].errback(Failure(Boom()));
    ds[2].errback(Failure(Boom()));  // after the first error: ignored by the gather
  }
  EXPECT_EQ(index, 1u);
  EXPECT_EQ(inner, "boom");
  EXPECT_TRUE(logs.lines.empty()) << "consumeErrors: the inputs' failures count as handled";
}

TEST(GatherResults, WithoutConsumeErrorsTheInputFailureStaysUnhandled) {
  LogCapture logs;
  {
    std::vector<Deferred<int>> ds(1);
    gatherResults(ds).addErrback([](const Failure&) { return std::vector<int>{}; });
    ds[0].errback(Failure(Boom()));
  }
  EXPECT_EQ(logs.lines.size(), 1u) << "the input still holds its Failure";
  EXPECT_TRUE(logs.contains("Unhandled error in Deferred"));
}

TEST(DeferredList, FiresWithEveryOutcomeOnceAllFired) {
  std::vector<Deferred<int>> ds(2);
  std::optional<DeferredListResult<int>> got;
  DeferredList(ds, {.consumeErrors = true}).addCallback([&](DeferredListResult<int> r) {
    got = std::move(r);
  });
  ds[1].errback(Failure(Boom()));
  EXPECT_FALSE(got) << "a failure alone does not fire it without fireOnOneErrback";
  ds[0].callback(7);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->results.size(), 2u);
  ASSERT_TRUE(got->results[0] && got->results[0]->ok());
  EXPECT_EQ(got->results[0]->value(), 7);
  ASSERT_TRUE(got->results[1]);
  EXPECT_FALSE(got->results[1]->ok());
  EXPECT_TRUE(got->results[1]->failure().check<Boom>());
  EXPECT_FALSE(got->firedBy);
}

TEST(DeferredList, FireOnOneCallbackFiresWithTheFirstSuccess) {
  std::vector<Deferred<int>> ds(3);
  std::optional<DeferredListResult<int>> got;
  DeferredList(ds, {.fireOnOneCallback = true, .consumeErrors = true})
      .addCallback([&](DeferredListResult<int> r) { got = std::move(r); });
  ds[0].errback(Failure(Boom()));
  EXPECT_FALSE(got);
  ds[2].callback(9);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->firedBy, 2u);
  EXPECT_EQ(got->results[2]->value(), 9);
  EXPECT_FALSE(got->results[1]) << "input 1 had not fired";
  ds[1].callback(1);  // later results are ignored
}

TEST(DeferredList, FireOnOneErrbackFailsWithFirstError) {
  std::vector<Deferred<int>> ds(2);
  std::optional<size_t> index;
  DeferredList(ds, {.fireOnOneErrback = true, .consumeErrors = true})
      .addErrback([&](const Failure& f) {
        try {
          f.rethrow();
        } catch (const FirstError& e) {
          index = e.index();
        }
        return DeferredListResult<int>{};
      });
  ds[0].callback(1);
  EXPECT_FALSE(index);
  ds[1].errback(Failure(Boom()));
  EXPECT_EQ(index, 1u);
}

TEST(DeferredList, ConsumeErrorsDecidesWhetherInputsLogTheirFailure) {
  for (bool consume : {false, true}) {
    LogCapture logs;
    {
      std::vector<Deferred<int>> ds(1);
      DeferredList(ds, {.consumeErrors = consume});
      ds[0].errback(Failure(Boom()));
    }
    EXPECT_EQ(logs.contains("Unhandled error in Deferred"), !consume) << "consume=" << consume;
  }
}

TEST(DeferredList, EmptyFiresAtOnceUnlessWaitingForOneSuccess) {
  bool fired = false;
  DeferredList(std::vector<Deferred<int>>{}).addCallback([&](DeferredListResult<int> r) {
    fired = r.results.empty();
  });
  EXPECT_TRUE(fired);
  bool firedOnOne = false;
  DeferredList(std::vector<Deferred<int>>{}, {.fireOnOneCallback = true})
      .addCallback([&](DeferredListResult<int>) { firedOnOne = true; });
  EXPECT_FALSE(firedOnOne);
}

}  // namespace
}  // namespace weft::test
