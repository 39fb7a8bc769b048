// `weft check` against deliberately broken servers (`weft serve --fault NAME`, see
// harness/src/cli/fault_server.hpp): each defect is a FAIL of the scenario that should catch
// it, with a reason that names the defect. One reactor (epoll) is enough for these: they prove
// the checkers, not the reactors. select's conc1000 is the exception, its accounting being
// select-specific. Short --timeout: the scenarios end their waits by then.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace weft::harness {
namespace {

using testing::readFile;
using testing::runWeft;
using testing::TempDir;

struct CheckRun {
  int exitCode = -1;
  nlohmann::json cases;
  std::string log;  // stdout and stderr, for failure messages
};

CheckRun check(const std::string& reactor, const std::string& protocols,
               const std::string& scenarios, const std::string& fault, const char* timeout) {
  TempDir tmp;
  std::vector<std::string> args = {"check",     "--reactor",  reactor,   "--protocol",
                                   protocols,   "--scenario", scenarios, "--no-second-pass",
                                   "--timeout", timeout,      "--json",  tmp.path() + "/c.json"};
  if (!fault.empty()) {
    args.push_back("--serve-fault");
    args.push_back(fault);
  }
  auto r = runWeft(args, 120);
  CheckRun out{r.exitCode(), nlohmann::json::array(), r.out + r.err};
  try {
    out.cases = nlohmann::json::parse(readFile(tmp.path() + "/c.json"))["cases"];
  } catch (const std::exception& e) {
    out.log += std::string("\n(no JSON: ") + e.what() + ")";
  }
  return out;
}

// The case (protocol, scenario) failed, and its detail contains `reason`.
void expectNamedFail(const CheckRun& run, const std::string& protocol, const std::string& scenario,
                     const std::string& reason) {
  EXPECT_EQ(run.exitCode, 1) << run.log;
  for (const auto& c : run.cases) {
    if (c["protocol"] != protocol || c["scenario"] != scenario) continue;
    EXPECT_EQ(c["status"], "fail") << c.dump();
    EXPECT_NE(c["detail"].get<std::string>().find(reason), std::string::npos)
        << "expected '" << reason << "' in: " << c["detail"].get<std::string>();
    return;
  }
  ADD_FAILURE() << protocol << "/" << scenario << " did not run:\n" << run.log;
}

// The controls: without a fault the same scenarios pass, so each FAIL below is the fault's.
TEST(FaultModes, WithoutAFaultTheseScenariosPass) {
  auto epoll = check("epoll", "lenprefix", "coalesced,halfclose,stoppend", "", "20");
  EXPECT_EQ(epoll.exitCode, 0) << epoll.log;
  EXPECT_EQ(epoll.cases.size(), 3u) << epoll.log;
}

TEST(FaultModes, WithoutAFaultConc1000OnSelectAccountsForEveryConnection) {
  auto select = check("select", "lenprefix", "conc1000", "", "20");
  EXPECT_EQ(select.exitCode, 0) << select.log;
  ASSERT_EQ(select.cases.size(), 1u) << select.log;
  EXPECT_NE(select.cases[0]["detail"].get<std::string>().find("all accounted for"),
            std::string::npos)
      << select.cases[0].dump();
}

TEST(FaultModes, FlippingOneByteInTenThousandFailsCoalesced) {
  // 1000 messages of 1-50 bytes: about 25,500 payload bytes, so two are flipped.
  auto run = check("epoll", "lenprefix", "coalesced", "corrupt", "5");
  expectNamedFail(run, "lenprefix", "coalesced", "reply 395 differs (46 bytes, expected 46)");
}

TEST(FaultModes, DroppingTheLastFrameFailsHalfCloseAndStoppend) {
  auto run = check("epoll", "lenprefix", "halfclose,stoppend", "drop-last", "5");
  expectNamedFail(run, "lenprefix", "halfclose", "got 9 of 10 replies");
  // The server's stop line says what it had read: one reply short of that is a FAIL.
  expectNamedFail(run, "lenprefix", "stoppend", "messages when stopped, but delivered");
}

TEST(FaultModes, ReorderingTwoFramesFailsCoalesced) {
  auto run = check("epoll", "lenprefix", "coalesced", "reorder", "5");
  expectNamedFail(run, "lenprefix", "coalesced", "reply 1 differs (3 bytes, expected 2)");
}

TEST(FaultModes, ClosingAfterNMessagesFailsCoalesced) {
  auto run = check("epoll", "lenprefix", "coalesced", "close-after=5", "5");
  expectNamedFail(run, "lenprefix", "coalesced", "got 5 of 1000 replies; connection lost");
}

TEST(FaultModes, StoppingReadingFailsHalfClose) {
  // The server never reads our FIN, so it never closes: found when the budget runs out.
  auto run = check("epoll", "lenprefix", "halfclose", "stop-reading=3", "2.5");
  expectNamedFail(run, "lenprefix", "halfclose", "server did not close after our half-close");
}

TEST(FaultModes, IgnoringSigtermFailsTheStop) {
  // The scenario passes; the stop that follows is refused and ends in SIGKILL after 3 s.
  auto run = check("epoll", "lenprefix", "coalesced", "ignore-sigterm", "3");
  expectNamedFail(run, "lenprefix", "coalesced",
                  "server did not exit 0 when asked to stop (SIGTERM)");
}

// select refuses the connections whose fd is beyond FD_SETSIZE and logs FdTooLarge; a server
// that also closes every 50th connection it did accept must not hide behind that log line.
TEST(FaultModes, Conc1000OnSelectFailsOnAConnectionClosedWithoutCause) {
  auto run = check("select", "lenprefix", "conc1000", "drop-conn=50", "20");
  expectNamedFail(run, "lenprefix", "conc1000", "unexplained");
}

}  // namespace
}  // namespace weft::harness
