// Unit tests of the harness's helpers: the latency histogram, the wire framing, the process
// CPU clock the benchmark divides by, and children (that die with their parent, that read a
// stdin pipe, that cannot start).
#include <gtest/gtest.h>

#include <cmath>

#include <time.h>
#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/histogram.hpp"
#include "common/process.hpp"
#include "common/wire.hpp"

namespace weft::harness {
namespace {

TEST(Histogram, PercentilesWithinBucketPrecision) {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);  // 1 us .. 100 ms
  EXPECT_EQ(h.count(), 100000u);
  auto near = [](double got, double want) { return std::abs(got - want) / want < 0.04; };
  EXPECT_TRUE(near(double(h.percentile(0.5)), 50e6)) << h.percentile(0.5);
  EXPECT_TRUE(near(double(h.percentile(0.99)), 99e6)) << h.percentile(0.99);
  EXPECT_TRUE(near(double(h.percentile(0.999)), 99.9e6)) << h.percentile(0.999);
  EXPECT_LE(h.percentile(1.0), h.max());
}

TEST(Histogram, BucketsAreMonotonic) {
  int last = -1;
  for (uint64_t v = 0; v < (1u << 20); v += 7) {
    int b = Histogram::bucketOf(v);
    EXPECT_GE(b, last);
    last = b;
    EXPECT_LT(b, Histogram::kBuckets);
  }
  EXPECT_LT(Histogram::bucketOf(UINT64_MAX), Histogram::kBuckets);
}

#ifndef _WIN32
TEST(ProcStats, CpuTimeResolvesWellBelowAClockTick) {
  if (!std::filesystem::exists("/proc/self/sched"))
    GTEST_SKIP() << "no /proc/PID/sched (kernel without CONFIG_SCHED_DEBUG): CPU time comes "
                    "from /proc/PID/stat in 10 ms ticks";
  auto before = readProcStats(currentProcessId());
  ASSERT_TRUE(before);
  // Burn 3 ms of CPU (by the process CPU clock, so preemption cannot shorten it): less than
  // one 10 ms tick, so stat alone shows 0 or 10 ms.
  auto cpuNow = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  };
  const double until = cpuNow() + 0.003;
  while (cpuNow() < until) {
  }
  auto after = readProcStats(currentProcessId());
  ASSERT_TRUE(after);
  const double used = after->cpuSeconds - before->cpuSeconds;
  EXPECT_GT(used, 0.002) << "3 ms of spinning did not show up";
  // Ticks would make every reading a multiple of 1/CLK_TCK; scheduler time (nanoseconds)
  // almost never is. No upper bound: a loaded machine may add CPU time to the reads, not
  // change their resolution.
  const double tick = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  EXPECT_GT(std::abs(used - std::round(used / tick) * tick), 1e-6)
      << used << " s: measured in clock ticks, not scheduler time";
}

// weft check and weft bench start servers and load generators; when weft itself is killed
// (ctest's timeout, ^C on a hung run: no destructor runs) they must not live on. A middle
// process spawns `sleep 60` the way weft does and is SIGKILLed; the sleeper must die too.
TEST(Spawn, ChildDiesWhenItsParentIsKilled) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t middle = ::fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    Child sleeper = spawn({"/bin/sleep", "60"}, {.captureStdout = false, .stderrPath = {}});
    ProcessId pid = sleeper.pid();
    (void)!::write(report[1], &pid, sizeof pid);
    for (;;) ::pause();  // until SIGKILL
  }
  ::close(report[1]);
  ProcessId sleeper = 0;
  const ssize_t got = ::read(report[0], &sleeper, sizeof sleeper);
  ::close(report[0]);
  ::kill(middle, SIGKILL);  // before any assertion, so a failure leaves nothing behind
  ::waitpid(middle, nullptr, 0);
  ASSERT_EQ(got, ssize_t(sizeof sleeper));
  ASSERT_GT(sleeper, 0) << "the middle process could not spawn /bin/sleep";
  // Dead means gone, or a zombie left for init to reap (containers' init may never reap).
  auto dead = [&] {
    std::ifstream stat("/proc/" + std::to_string(sleeper) + "/stat");
    std::string pid, comm, state;
    if (!(stat >> pid >> comm >> state)) return true;
    return state == "Z" || state == "X";
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!dead() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool died = dead();
  if (!died) ::kill(sleeper, SIGKILL);  // not ours to reap, but never left running
  EXPECT_TRUE(died) << "the child outlived its killed parent";
}

TEST(Spawn, StdinPipeReachesTheChild) {
  SpawnOptions opts;
  opts.pipeStdin = true;
  Child cat = spawn({"/bin/cat"}, opts);
  ASSERT_GT(cat.pid(), 0) << cat.spawnError();
  ASSERT_TRUE(cat.writeStdin("hello\nworld\n"));
  EXPECT_EQ(cat.readLine(Seconds(10)), "hello");
  EXPECT_EQ(cat.readLine(Seconds(10)), "world");
  cat.closeStdin();  // cat sees EOF and exits
  auto status = cat.wait(Seconds(10));
  ASSERT_TRUE(status);
  EXPECT_TRUE(exitedWith(*status, 0)) << describeStatus(*status);
  EXPECT_FALSE(cat.writeStdin("late\n")) << "stdin was closed";
}

// exec failing in the child used to look like a program that exited with 127.
TEST(Spawn, AProgramThatCannotStartIsASpawnError) {
  Child none = spawn({"/nonexistent/weft-no-such-program"});
  EXPECT_EQ(none.pid(), 0);
  EXPECT_EQ(none.spawnError(),
            "cannot start /nonexistent/weft-no-such-program: No such file or directory");
}
#endif

TEST(Wire, FramesSplitBackIntoPayloadsAtAnyChunking) {
  for (const char* name : {"lenprefix", "line", "netstring"}) {
    WireFormat f;
    f.wire = *parseWire(name);
    f.delimiter = "\r\n";
    std::vector<std::string> msgs = {"", "a", "hello world", std::string(70000, 'x')};
    std::string stream;
    for (const auto& m : msgs) appendFrame(stream, f, m);
    for (size_t chunk : {1u, 3u, 1000u}) {
      FrameSplitter split(f);
      std::vector<std::string> got;
      for (size_t at = 0; at < stream.size(); at += chunk) {
        split.feed(std::string_view(stream).substr(at, chunk));
        while (auto p = split.next()) got.push_back(*p);
      }
      if (std::string(name) == "line") msgs[0] = "";  // an empty line is a valid message
      EXPECT_EQ(got, msgs) << name << " chunk " << chunk;
      EXPECT_FALSE(split.error());
    }
  }
}

TEST(Wire, PrefixFormats) {
  WireFormat f;
  f.wire = Wire::LenPrefix;
  ASSERT_TRUE(parsePrefix("u16be", f));
  EXPECT_EQ(frame(f, "abc"), std::string("\x00\x03"
                                         "abc",
                                         5));
  ASSERT_TRUE(parsePrefix("u32le", f));
  EXPECT_EQ(frame(f, "abc"), std::string("\x03\x00\x00\x00"
                                         "abc",
                                         7));
  EXPECT_FALSE(parsePrefix("u64", f));
}

TEST(Wire, MalformedNetstringIsAnError) {
  WireFormat f;
  f.wire = Wire::Netstring;
  FrameSplitter split(f);
  split.feed("5:hello!");
  EXPECT_FALSE(split.next());
  EXPECT_TRUE(split.error());
}

}  // namespace
}  // namespace weft::harness
