// The command-line contract of docs/cli.md: exact strings and exit codes scripts rely on.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/process.hpp"
#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::runWeft;
using testing::TempDir;

TEST(CliContract, HelpReactorsListsEveryLinuxReactor) {
  auto r = runWeft({"--help-reactors"}, 30);
  EXPECT_EQ(r.exitCode(), 0) << r.err;
  for (const char* name : {"epoll", "poll", "select"}) {
    bool found = false;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(name, 0) == 0 && line.find("available") != std::string::npos) found = true;
    }
    EXPECT_TRUE(found) << name << " missing from:\n" << r.out;
  }
}

TEST(CliContract, UnknownReactorIsOneLineExitTwo) {
  auto r = runWeft({"serve", "--reactor", "no-such-reactor", "--protocol", "echo"}, 30);
  EXPECT_EQ(r.exitCode(), 2);
  EXPECT_NE(r.err.find("no-such-reactor"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--help-reactors"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliContract, ServePrintsListeningFirstAndExitsZeroOnSigterm) {
  for (const char* protocol : {"echo", "lenprefix", "line", "netstring"}) {
    Child server =
        spawn({WEFT_EXE, "serve", "--reactor", "epoll", "--protocol", protocol, "--port", "0"});
    auto line = server.readLine(Seconds(30));
    ASSERT_TRUE(line) << protocol;
    EXPECT_EQ(line->rfind("listening on 127.0.0.1:", 0), 0u) << *line;
    int port = std::stoi(line->substr(line->rfind(':') + 1));
    EXPECT_GT(port, 0);
    server.signal(SIGTERM);
    auto st = server.wait(Seconds(30));
    ASSERT_TRUE(st) << "serve did not exit after SIGTERM";
    EXPECT_TRUE(exitedWith(*st, 0)) << describeStatus(*st);
  }
}

TEST(CliContract, ServeExitsZeroOnSigint) {
  Child server = spawn({WEFT_EXE, "serve", "--reactor", "poll", "--protocol", "line"});
  ASSERT_TRUE(server.readLine(Seconds(30)));
  server.signal(SIGINT);
  auto st = server.wait(Seconds(30));
  ASSERT_TRUE(st);
  EXPECT_TRUE(exitedWith(*st, 0)) << describeStatus(*st);
}

TEST(CliContract, ConnectPrintsEachReply) {
  Child server = spawn({WEFT_EXE, "serve", "--reactor", "epoll", "--protocol", "lenprefix"});
  auto line = server.readLine(Seconds(30));
  ASSERT_TRUE(line);
  std::string target = line->substr(std::string("listening on ").size());
  auto r = runWeft(
      {"connect", target, "--protocol", "lenprefix", "--send", "hello", "--send", "world"}, 60);
  EXPECT_EQ(r.exitCode(), 0) << r.err;
  EXPECT_EQ(r.out, "hello\nworld\n");
  server.stop(Seconds(10));
}

TEST(CliContract, ConnectRefusedIsOneLineExitOne) {
  // A port from a server that has already stopped: nothing listens there any more.
  Child server = spawn({WEFT_EXE, "serve", "--reactor", "epoll", "--protocol", "echo"});
  auto line = server.readLine(Seconds(30));
  ASSERT_TRUE(line);
  std::string target = line->substr(std::string("listening on ").size());
  server.stop(Seconds(10));
  auto r = runWeft({"connect", target, "--send", "x", "--timeout", "10"}, 60);
  EXPECT_EQ(r.exitCode(), 1) << r.out << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("refused"), std::string::npos) << r.err;
}

TEST(CliContract, UnavailableReactorIsExitTwo) {
  // kqueue is not built on Linux without libkqueue; skip if this build has it.
  auto help = runWeft({"--help-reactors"}, 30);
  std::string name;
  std::istringstream lines(help.out);
  for (std::string l; std::getline(lines, l);) {
    if (l.find("unavailable") != std::string::npos) {
      name = l.substr(0, l.find(' '));
      break;
    }
  }
  if (name.empty()) GTEST_SKIP() << "every known reactor is available in this build";
  auto r = runWeft({"serve", "--reactor", name}, 30);
  EXPECT_EQ(r.exitCode(), 2);
  EXPECT_NE(r.err.find("--help-reactors"), std::string::npos) << r.err;
}

// Usage errors are exit 2 and exactly one line on stderr, whoever finds them: CLI11 (an
// unknown option, a value that does not convert, an out-of-range port, a missing positional)
// or weft (an unknown reactor, protocol or prefix).
TEST(CliContract, EveryUsageErrorIsOneLineExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"--reactor", "nosuch", "serve"},
      {"serve", "--port", "99999"},
      {"serve", "--port", "http"},
      {"serve", "--no-such-option"},
      {"serve", "--protocol", "smtp"},
      {"serve", "--prefix", "u64le"},
      {"connect"},
      {"check", "--timeout", "soon"},
      {"check", "--protocol", "smtp"},
      {"bench", "--size", "big"},
      {"bench", "compare", "only-one.json"},
      {"nosuchcommand"},
      {},
  };
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    auto r = runWeft(args, 30);
    EXPECT_EQ(r.exitCode(), 2) << "weft " << shown << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "weft " << shown << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("weft", 0), 0u) << "weft " << shown << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << "weft " << shown << "\n" << r.out;
  }
}

TEST(CliContract, UnknownReactorBeforeTheSubcommandNamesHelpReactors) {
  auto r = runWeft({"--reactor", "nosuch", "serve"}, 30);
  EXPECT_EQ(r.exitCode(), 2);
  EXPECT_NE(r.err.find("unknown reactor 'nosuch'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--help-reactors"), std::string::npos) << r.err;
}

// `weft --reactor poll serve` serves on poll: the reactor shows in the stop line, which names
// the reactor that ran (serve_command.cpp).
TEST(CliContract, ReactorIsAcceptedBeforeTheSubcommand) {
  for (const char* reactor : {"poll", "select"}) {
    TempDir tmp;
    Child server = spawn({WEFT_EXE, "--reactor", reactor, "serve", "--protocol", "line"},
                         {.stderrPath = tmp.path() + "/err"});
    auto line = server.readLine(Seconds(30));
    ASSERT_TRUE(line && line->rfind("listening on ", 0) == 0) << reactor;
    auto st = server.stop(Seconds(30));
    EXPECT_TRUE(exitedWith(st, 0)) << describeStatus(st);
    std::string err = testing::readFile(tmp.path() + "/err");
    EXPECT_NE(err.find(std::string("stopping the ") + reactor + " reactor"), std::string::npos)
        << err;
  }
}

TEST(CliContract, ReactorBeforeAndAfterTheSubcommandMustAgree) {
  auto r = runWeft({"--reactor", "poll", "serve", "--reactor", "epoll"}, 30);
  EXPECT_EQ(r.exitCode(), 2);
  EXPECT_NE(r.err.find("--reactor given twice"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// CLI11 2.1 shows a default as `--port UINT=0`.
TEST(CliContract, HelpShowsDefaults) {
  auto serve = runWeft({"serve", "--help"}, 30);
  EXPECT_EQ(serve.exitCode(), 0) << serve.err;
  for (const char* shown : {"127.0.0.1", "u32le", "crlf", "1024", "default", "echo"}) {
    EXPECT_NE(serve.out.find(std::string("=") + shown + " "), std::string::npos)
        << shown << " missing from:\n"
        << serve.out;
  }
  auto bench = runWeft({"bench", "--help"}, 30);
  EXPECT_EQ(bench.exitCode(), 0) << bench.err;
  for (const char* shown : {"64,4096", "1,16", "0.25"}) {
    EXPECT_NE(bench.out.find(std::string("=") + shown + " "), std::string::npos)
        << shown << " missing from:\n"
        << bench.out;
  }
  auto check = runWeft({"check", "--help"}, 30);
  EXPECT_EQ(check.exitCode(), 0) << check.err;
  EXPECT_NE(check.out.find("=all "), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("=60 "), std::string::npos) << check.out;
}

}  // namespace
}  // namespace weft::harness
