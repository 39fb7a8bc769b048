// `weft bench --server NAME=CMD` measures any program that honours the serve contract (here the
// raw-epoll reference server and Twisted's, as outside programs), and a program that breaks it
// gets one line naming the part it broke.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::readFile;
using testing::runWeft;

namespace fs = std::filesystem;

fs::path referenceDir() {
  return fs::path(WEFT_EXE).parent_path().parent_path() / "bench" / "reference";
}

std::vector<std::string> tinyBench(const std::string& reportDir) {
  return {"bench",     "--reactor",  "none",   "--reference",   "raw-epoll", "--protocol",
          "lenprefix", "--size",     "64",     "--connections", "2",         "--depth",
          "1",         "--duration", "0.1",    "--warmup",      "0.05",      "--repeats",
          "1",         "--report",   reportDir};
}

TEST(BenchAnyServer, MeasuresOutsideProgramsThatHonourTheServeContract) {
  fs::path raw = referenceDir() / "weft-ref-raw-epoll";
  fs::path twisted = referenceDir() / "weft-ref-twisted.py";
  ASSERT_TRUE(fs::exists(raw)) << raw;
  bool haveTwisted = fs::exists(twisted) &&
                     std::system("/usr/bin/python3 -c 'import twisted' >/dev/null 2>&1") == 0;
  testing::TempDir tmp;
  auto args = tinyBench(tmp.path() + "/r");
  // Its own flags in CMD: {protocol} and {port} are filled in instead of appended.
  args.insert(args.end(),
              {"--server", "mine=" + raw.string() + " --port {port} --protocol {protocol}"});
  if (haveTwisted) args.insert(args.end(), {"--server", "tw=/usr/bin/python3 " + twisted.string()});
  auto r = runWeft(args, 300);
  ASSERT_EQ(r.exitCode(), 0) << r.out << r.err;
  auto j = nlohmann::json::parse(readFile(tmp.path() + "/r/report.json"));
  int outside = 0;
  for (const auto& row : j["rows"]) {
    if (row["kind"] != "external") continue;
    ++outside;
    EXPECT_FALSE(row.contains("failure")) << row.dump();
    EXPECT_GT(row["msgs_per_s"]["median"].get<double>(), 0) << row.dump();
    EXPECT_GT(row["ratio_vs_baseline"]["throughput"].get<double>(), 0) << row.dump();
    EXPECT_EQ(row["verify_failures"], 0);
  }
  EXPECT_EQ(outside, haveTwisted ? 2 : 1);
  if (!haveTwisted) GTEST_SKIP() << "python3-twisted is not installed: Twisted's server not run";
}

TEST(BenchAnyServer, ABrokenContractIsOneLineNamingThePart) {
  testing::TempDir tmp;
  auto args = tinyBench(tmp.path() + "/r");
  args.insert(args.end(), {"--server", "quitter=true", "--server", "chatty=echo hello there #",
                           "--server", "liar=echo listening on 127.0.0.1:1 #"});
  auto r = runWeft(args, 300);
  EXPECT_EQ(r.exitCode(), 1) << r.out << r.err;
  const auto lineWith = [&](const std::string& a, const std::string& b) {
    for (size_t at = 0; at < r.err.size();) {
      size_t end = r.err.find('\n', at);
      std::string line = r.err.substr(at, end - at);
      if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return true;
      if (end == std::string::npos) break;
      at = end + 1;
    }
    return false;
  };
  EXPECT_TRUE(lineWith("server quitter breaks the serve contract",
                       "it ended (exit 0) before printing 'listening on HOST:PORT'"))
      << r.err;
  EXPECT_TRUE(lineWith("server chatty breaks the serve contract",
                       "first stdout line is 'hello there', not 'listening on HOST:PORT'"))
      << r.err;
  EXPECT_TRUE(lineWith("server liar breaks the serve contract",
                       "the port it announced (1) refuses connections"))
      << r.err;
}

}  // namespace
}  // namespace weft::harness
