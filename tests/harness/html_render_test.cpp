// index.html rendered by a real browser engine: headless Chromium dumps the DOM after layout,
// and the SVG charts must be in it. Skips (visibly) only when Chromium is not installed.
#include <gtest/gtest.h>

#include <filesystem>

#include "bench_fixture.hpp"
#include "common/process.hpp"
#include "skip_report.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

std::string findChromium() {
  for (const char* p :
       {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, ChromiumRendersTheCharts) {
  std::string chromium = findChromium();
  // ci/deps installs it: a skip on a developer's machine, a failure in CI.
  if (chromium.empty()) WEFT_SKIP_UNLESS_CI("chromium is not installed (ci/deps installs it)");
  const std::string& dir = testing::tinyReportDir();
  ASSERT_FALSE(dir.empty());
  testing::TempDir profile;
  Child c = spawn({chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--user-data-dir=" + profile.path(),
                   "--dump-dom", "file://" + dir + "/index.html"},
                  {.stderrPath = "/dev/null"});
  std::string dom = c.readAll(Seconds(120));
  auto st = c.wait(Seconds(10));
  if (!st) c.stop(Seconds(2));
  ASSERT_FALSE(dom.empty()) << "chromium produced no DOM";
  EXPECT_GE(count(dom, "<figure class=\"chart\""), 3u) << "throughput, latency and CPU charts";
  EXPECT_GE(count(dom, "<svg"), 3u);
  EXPECT_NE(dom.find("id=\"throughput-lenprefix-64\""), std::string::npos);
  EXPECT_NE(dom.find("id=\"cpu-lenprefix\""), std::string::npos);
  EXPECT_NE(dom.find("id=\"latency-lenprefix-64-c2\""), std::string::npos);
  EXPECT_GE(count(dom, "class=\"bar\""), 4u) << "bars drawn";
}

}  // namespace
}  // namespace weft::harness
