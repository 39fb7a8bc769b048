// A quick slice of the correctness matrix on one reactor, with both report files.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::readFile;
using testing::runWeft;
using testing::TempDir;

TEST(CheckSubset, EpollLineAndLenprefixPass) {
  TempDir tmp;
  const std::string& dir = tmp.path();
  auto r = runWeft({"check", "--reactor", "epoll", "--protocol", "lenprefix,line", "--scenario",
                    "bytewise,coalesced,maxlen,longline,rst,conc1000,slowread,refused", "--json",
                    dir + "/check.json", "--junit", dir + "/check.xml"},
                   600);
  EXPECT_EQ(r.exitCode(), 0) << r.out << r.err;
  EXPECT_NE(r.out.find("bytewise"), std::string::npos) << r.out;
  auto j = nlohmann::json::parse(readFile(dir + "/check.json"));
  EXPECT_EQ(j["schema"], "weft-check/1");
  EXPECT_EQ(j["failed"], 0);
  // 2 protocols x (7 common scenarios) + longline (line only), one pass (epoll is the default).
  EXPECT_EQ(j["cases"].size(), 15u);
  std::string xml = readFile(dir + "/check.xml");
  EXPECT_NE(xml.find("<testsuite name=\"epoll\""), std::string::npos);
  EXPECT_NE(xml.find("<testcase"), std::string::npos);
}

TEST(CheckSubset, UnknownReactorIsExitTwo) {
  auto r = runWeft({"check", "--reactor", "nope"}, 30);
  EXPECT_EQ(r.exitCode(), 2);
  EXPECT_NE(r.err.find("--help-reactors"), std::string::npos);
}

}  // namespace
}  // namespace weft::harness
