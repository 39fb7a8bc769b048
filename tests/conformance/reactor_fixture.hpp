// The fixture behind the conformance suite: one instance per reactor in the registry
// (Twisted's ReactorBuilder). Every run is bounded: a reactor that does not stop in time
// fails the test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "weft/errors.hpp"
#include "weft/registry.hpp"

namespace weft::test {

using namespace std::chrono_literals;

class ReactorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { reactor = makeReactor(GetParam()); }
  void TearDown() override { reactor.reset(); }

  // run() with a watchdog: returns false (and records a failure) if the limit was hit.
  bool runReactor(Duration limit = Duration(20)) {
    bool timedOut = false;
    auto guard = reactor->callLater(limit, [&] {
      timedOut = true;
      stopQuietly();
    });
    reactor->run();
    if (guard.active()) guard.cancel();
    EXPECT_FALSE(timedOut) << "reactor '" << GetParam() << "' did not stop within the limit";
    return !timedOut;
  }

  // stop(), ignoring "already stopping".
  void stopQuietly() {
    try {
      reactor->stop();
    } catch (const Error&) {
    }
  }

  // Poll `cond` every millisecond on the reactor; run `then` once it holds.
  void when(std::function<bool()> cond, std::function<void()> then) {
    auto check = std::make_shared<std::function<void()>>();
    *check = [this, cond, then, weak = std::weak_ptr<std::function<void()>>(check)] {
      if (cond()) {
        then();
        return;
      }
      if (auto self = weak.lock()) reactor->callLater(Duration(0.001), *self);
    };
    checks_.push_back(check);
    reactor->callLater(Duration(0), *check);
  }

  // Poll `cond` every millisecond on the reactor; stop once it holds.
  void stopWhen(std::function<bool()> cond) {
    when(std::move(cond), [this] { stopQuietly(); });
  }

  std::unique_ptr<Reactor> reactor;

 private:
  std::vector<std::shared_ptr<std::function<void()>>> checks_;
};

inline std::string reactorParamName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace weft::test

#define WEFT_INSTANTIATE_FOR_EVERY_REACTOR(Suite)                                             \
  INSTANTIATE_TEST_SUITE_P(Reactors, Suite, ::testing::ValuesIn(::weft::availableReactors()), \
                           ::weft::test::reactorParamName)
