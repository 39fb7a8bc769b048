// Installs this build into a scratch prefix, then configures, builds and runs an out-of-tree
// consumer (consumer/: an echo server using find_package(weft)) against that prefix only, and
// checks it echoes over loopback on every reactor; the same program built from the
// pkg-config file's flags alone; and the README's ten-line example linked with weft::weft.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "tcp_client.hpp"
#include "weft/registry.hpp"

namespace weft::test {
namespace {

namespace fs = std::filesystem;

const fs::path kScratch = WEFT_PACKAGING_SCRATCH;
const fs::path kPrefix = kScratch / "prefix";
const fs::path kConsumerBuild = kScratch / "consumer-build";
const fs::path kReadmeAppBuild = kScratch / "readme-app-build";
constexpr Seconds kStepTimeout{600};  // one configure or build on a loaded 2-core machine

struct Result {
  std::optional<int> status;
  std::string output;
  bool ok() const { return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0; }
};

Result run(const std::vector<std::string>& argv) {
  ChildProcess child(argv);
  child.closeStdin();
  Result r;
  r.output = child.readAll(kStepTimeout);  // drains stdout so the child never blocks on it
  r.status = child.wait(Seconds(10));
  return r;
}

// The consumer's compiler flags must match the installed libraries' (sanitizers).
std::vector<std::string> sanitizerFlags() {
  std::string sanitize = WEFT_SANITIZE;
  if (sanitize.empty()) return {};
  std::string flag = "-fsanitize=" + sanitize;
  return {"-DCMAKE_CXX_FLAGS=" + flag + " -fno-omit-frame-pointer",
          "-DCMAKE_EXE_LINKER_FLAGS=" + flag};
}

class Packaging : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(kScratch);
    fs::create_directories(kScratch);
    install_ = run({WEFT_CMAKE, "--install", WEFT_BUILD_DIR, "--prefix", kPrefix.string()});
  }
  static Result install_;
};
Result Packaging::install_;

TEST_F(Packaging, InstallsHeadersLibrariesPackageAndCommandLine) {
  ASSERT_TRUE(install_.ok()) << install_.output;
  const fs::path lib = WEFT_INSTALL_LIBDIR;
  auto library = [&](const std::string& name) { return lib / ("lib" + name + WEFT_LIB_SUFFIX); };
  std::vector<fs::path> expected = {"include/weft/reactor.hpp",
                                    "include/weft/registry.hpp",
                                    "include/weft/protocols/line_receiver.hpp",
                                    library("weft_core"),
                                    library("weft_protocols"),
                                    library("weft_backends"),
                                    lib / "cmake/weft/weftConfig.cmake",
                                    lib / "cmake/weft/weftConfigVersion.cmake",
                                    lib / "cmake/weft/weftTargets.cmake",
                                    lib / "pkgconfig/weft.pc"};
  for (const auto& name : availableReactors()) expected.push_back(library("weft_backend_" + name));
  if (WEFT_HAVE_CLI) expected.push_back("bin/weft");
  if (WEFT_HAVE_BENCH) {
    const fs::path libexec = fs::path(WEFT_INSTALL_LIBEXECDIR) / "weft";
    expected.push_back(libexec / "weft-loadgen");
    expected.push_back(libexec / "weft-ref-raw-epoll");
  }
  for (const auto& path : expected) EXPECT_TRUE(fs::exists(kPrefix / path)) << path;
}

// The installed `weft bench` runs the installed load generator and reference servers, not the
// ones in the build tree it was built from.
TEST_F(Packaging, InstalledBenchUsesInstalledHelpers) {
  ASSERT_TRUE(install_.ok()) << install_.output;
  if (!WEFT_HAVE_BENCH) GTEST_SKIP() << "weft bench and its helpers are not built here";
  const auto report = kScratch / "bench-report";
  fs::remove_all(report);
  const std::string weft = (kPrefix / "bin/weft").string();
  auto bench =
      run({weft,         "bench", "--reactor", "epoll",        "--reference",   "raw-epoll",
           "--protocol", "echo",  "--size",    "64",           "--connections", "1",
           "--depth",    "1",     "--warmup",  "0.05",         "--duration",    "0.1",
           "--repeats",  "1",     "--report",  report.string()});
  ASSERT_TRUE(bench.ok()) << bench.output;
  std::ifstream in(report / "report.json");
  auto j = nlohmann::json::parse(in);
  const auto libexec = fs::canonical(kPrefix / WEFT_INSTALL_LIBEXECDIR / "weft");
  EXPECT_EQ(fs::canonical(j["config"]["reference_dir"].get<std::string>()), libexec);
  EXPECT_EQ(fs::canonical(j["config"]["loadgen_path"].get<std::string>()),
            libexec / "weft-loadgen");
  ASSERT_EQ(j["rows"].size(), 2u) << j["rows"].dump();
  for (const auto& row : j["rows"]) {
    EXPECT_FALSE(row.contains("failure")) << row.dump();
    EXPECT_GT(row["msgs_per_s"]["median"].get<double>(), 0) << row.dump();
  }
}

TEST_F(Packaging, PkgConfigBuildsTheConsumerToo) {
  ASSERT_TRUE(install_.ok()) << install_.output;
  if (!fs::exists("/usr/bin/pkg-config")) GTEST_SKIP() << "pkg-config is not installed";
  setenv("PKG_CONFIG_PATH", (kPrefix / WEFT_INSTALL_LIBDIR / "pkgconfig").c_str(), 1);
  auto flags = run({"/usr/bin/pkg-config", "--cflags", "--libs", "weft"});
  ASSERT_TRUE(flags.ok()) << flags.output;
  EXPECT_NE(flags.output.find("-lweft_core"), std::string::npos) << flags.output;
  // Relocated: the include path is under the prefix we installed into, whatever
  // CMAKE_INSTALL_PREFIX said at configure time.
  auto include = fs::canonical(kPrefix / "include").string();
  bool found = false;
  for (size_t at = 0; (at = flags.output.find("-I", at)) != std::string::npos; at += 2) {
    auto end = flags.output.find_first_of(" \n", at);
    std::error_code ec;
    auto dir = fs::canonical(flags.output.substr(at + 2, end - at - 2), ec);
    if (!ec && dir.string() == include) found = true;
  }
  EXPECT_TRUE(found) << flags.output;

  // The flags alone are enough to compile and link (static libraries in link order).
  const auto binary = (kScratch / "echo_pkgconfig").string();
  std::vector<std::string> compile = {WEFT_CXX_COMPILER, "-std=c++20", "-o", binary,
                                      WEFT_CONSUMER_SOURCE "/echo_consumer.cpp"};
  if (std::string sanitize = WEFT_SANITIZE; !sanitize.empty())
    compile.push_back("-fsanitize=" + sanitize);
  std::istringstream words(flags.output);
  for (std::string word; words >> word;) compile.push_back(word);
  auto compiled = run(compile);
  ASSERT_TRUE(compiled.ok()) << compiled.output;
  ChildProcess server({binary, "--port", "0"});
  TcpClient client(parseListeningLine(server.readLine()));
  client.send("pkg-config");
  EXPECT_EQ(client.read(10), "pkg-config");
  auto status = server.terminate();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(status);
}

// A newcomer's first try: the README's example, `find_package(weft)` and
// `target_link_libraries(app PRIVATE weft::weft)`, nothing else.
TEST_F(Packaging, ReadmeExampleBuildsWithTheUmbrellaTarget) {
  ASSERT_TRUE(install_.ok()) << install_.output;
  std::vector<std::string> configure = {
      WEFT_CMAKE, "-S", WEFT_README_APP_SOURCE, "-B", kReadmeAppBuild.string(), "-G",
      WEFT_GENERATOR, "-DCMAKE_BUILD_TYPE=" WEFT_BUILD_TYPE,
      "-DCMAKE_CXX_COMPILER=" WEFT_CXX_COMPILER, "-DCMAKE_PREFIX_PATH=" + kPrefix.string(),
      "-DWEFT_README=" WEFT_README, "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF",
      "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"};
  for (auto& flag : sanitizerFlags()) configure.push_back(flag);
  auto configured = run(configure);
  ASSERT_TRUE(configured.ok()) << configured.output;
  auto built = run({WEFT_CMAKE, "--build", kReadmeAppBuild.string(), "--parallel", "2"});
  ASSERT_TRUE(built.ok()) << built.output;
  EXPECT_TRUE(fs::exists(kReadmeAppBuild / "app"));
}

TEST_F(Packaging, OutOfTreeConsumerBuildsAndEchoesOnEveryReactor) {
  ASSERT_TRUE(install_.ok()) << install_.output;
  std::vector<std::string> configure = {
      WEFT_CMAKE, "-S", WEFT_CONSUMER_SOURCE, "-B", kConsumerBuild.string(), "-G", WEFT_GENERATOR,
      "-DCMAKE_BUILD_TYPE=" WEFT_BUILD_TYPE, "-DCMAKE_CXX_COMPILER=" WEFT_CXX_COMPILER,
      "-DCMAKE_PREFIX_PATH=" + kPrefix.string(),
      // Only the scratch prefix: no user or system package registry entries.
      "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF", "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"};
  for (auto& flag : sanitizerFlags()) configure.push_back(flag);
  auto configured = run(configure);
  ASSERT_TRUE(configured.ok()) << configured.output;
  EXPECT_NE(
      configured.output.find("from " + (kPrefix / WEFT_INSTALL_LIBDIR / "cmake/weft").string()),
      std::string::npos)
      << "weft was not found in the scratch prefix:\n"
      << configured.output;
  auto built = run({WEFT_CMAKE, "--build", kConsumerBuild.string(), "--parallel", "2"});
  ASSERT_TRUE(built.ok()) << built.output;

  const std::string consumer = (kConsumerBuild / "echo_consumer").string();
  for (const auto& reactor : availableReactors()) {
    SCOPED_TRACE("reactor " + reactor);
    ChildProcess server({consumer, "--reactor", reactor, "--port", "0"});
    uint16_t port = parseListeningLine(server.readLine());
    TcpClient client(port);
    client.send("installed weft echoes");
    EXPECT_EQ(client.read(21), "installed weft echoes");
    auto status = server.terminate();
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << describeStatus(status);
  }
}

}  // namespace
}  // namespace weft::test
