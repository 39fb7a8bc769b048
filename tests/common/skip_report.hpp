// Makes a skipped test visible outside its gtest process. A GTEST_SKIP inside a suite that
// ctest runs as one entry would otherwise leave only "Passed" in the ctest summary. The
// listener prints one line per skipped test when the program ends:
//   SKIPPED: Suite.Test/param: reason
// which ctest turns into a "Skipped" entry where the CMakeLists give the test its own entry
// with SKIP_REGULAR_EXPRESSION "SKIPPED: " (see tests/conformance, tests/fault).
// WEFT_SKIP_UNLESS_CI(reason) is for what CI is expected to have: a skip on a developer's
// machine, a failure when CI=true.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace weft::test {

class SkipReport : public ::testing::EmptyTestEventListener {
 public:
  // Adds the listener to gtest's; gtest owns it.
  static void install() { ::testing::UnitTest::GetInstance()->listeners().Append(new SkipReport); }

  // The name is kept here: asking gtest for the current test inside OnTestPartResult would
  // take the lock gtest holds while it reports the result.
  void OnTestStart(const ::testing::TestInfo& info) override {
    current_ = std::string(info.test_suite_name()) + "." + info.name();
  }

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.skipped()) return;
    std::string reason = result.message();
    for (char& c : reason)
      if (c == '\n') c = ' ';
    if (reason.empty()) reason = "(no reason given)";
    skipped_.push_back(current_ + ": " + reason);
  }

  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    for (const auto& line : skipped_) std::printf("SKIPPED: %s\n", line.c_str());
    std::fflush(stdout);
  }

 private:
  std::string current_ = "(outside a test)";
  std::vector<std::string> skipped_;
};

inline bool runningInCi() {
  const char* ci = std::getenv("CI");
  return ci && std::strcmp(ci, "true") == 0;
}

}  // namespace weft::test

// A skip here, a failure in CI, which is expected to have what the test needs.
#define WEFT_SKIP_UNLESS_CI(reason)                                                       \
  do {                                                                                    \
    if (::weft::test::runningInCi()) FAIL() << (reason) << " (CI=true: CI must have it)"; \
    GTEST_SKIP() << (reason);                                                             \
  } while (0)
