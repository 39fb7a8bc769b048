// gtest's main plus the skip report (skip_report.hpp), for the suites ctest runs in one process.
#include <gtest/gtest.h>

#include "skip_report.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  weft::test::SkipReport::install();
  return RUN_ALL_TESTS();
}
