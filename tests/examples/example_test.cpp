#include "example_test.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <stdexcept>

namespace weft::test {

uint16_t parseListeningLine(const std::optional<std::string>& line) {
  constexpr std::string_view kPrefix = "listening on ";
  if (!line || !line->starts_with(kPrefix))
    throw std::runtime_error("expected 'listening on HOST:PORT', got '" +
                             line.value_or("<nothing>") + "'");
  size_t colon = line->rfind(':');
  unsigned port = 0;
  auto [end, ec] = std::from_chars(line->data() + colon + 1, line->data() + line->size(), port);
  if (ec != std::errc() || end != line->data() + line->size() || port == 0 || port > 65535)
    throw std::runtime_error("no port in '" + *line + "'");
  return static_cast<uint16_t>(port);
}

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
}

}  // namespace weft::test
