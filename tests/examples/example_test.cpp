#include "example_test.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace weft::test {

Server ExampleTest::startServer(const std::string& binary, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {binary, "--reactor", reactor(), "--port", "0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Server server{std::make_unique<ChildProcess>(argv), 0};
  server.port = parseListeningLine(server.process->readLine());
  return server;
}

std::unique_ptr<ChildProcess> ExampleTest::startProgram(const std::string& binary,
                                                        const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {binary, "--reactor", reactor()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv);
}

void ExampleTest::expectCleanStop(ChildProcess& process) {
  auto status = process.terminate();
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "after SIGTERM: " << describeStatus(status);
}

std::string ExampleTest::scratchFile(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir =
      std::filesystem::path(::testing::TempDir()) / ("weft-examples-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string file = std::string(info->test_suite_name()) + "." + info->name() + "." + name;
  for (char& c : file)
    if (c == '/') c = '_';
  auto path = dir / file;
  std::filesystem::remove(path);
  scratch_.push_back(path.string());
  return path.string();
}

void ExampleTest::TearDown() {
  std::error_code ignored;
  for (const auto& path : scratch_) std::filesystem::remove(path, ignored);
  // The per-process directory goes too once it is empty (remove() leaves a non-empty one).
  if (!scratch_.empty())
    std::filesystem::remove(std::filesystem::path(scratch_[0]).parent_path(), ignored);
}

}  // namespace weft::test
