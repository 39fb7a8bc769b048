// weft bench: every server (weft serve on each reactor, each reference server) x every point
// (protocol, size, connections, depth), repeated. Servers run pinned to one CPU and the load
// generator to another. Within a repeat one load generator run drives all the servers of the
// point in turns of a few milliseconds, so a disturbance of the shared machine hits every row
// alike instead of spoiling one server's run.
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench/bench_command.hpp"
#include "bench/bench_model.hpp"
#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"
#include "common/process.hpp"

namespace weft::harness {

namespace fs = std::filesystem;

namespace {

struct ServerSpec {
  std::string name;
  std::string kind;
  std::vector<std::string> baseArgv;  // --protocol P --port 0 are appended
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<int> splitInts(const std::string& s, const char* what) {
  std::vector<int> out;
  for (const auto& item : split(s)) {
    try {
      out.push_back(std::stoi(item));
    } catch (const std::exception&) {
      throw UsageError(std::string("weft bench: bad ") + what + " '" + item + "'");
    }
    if (out.back() <= 0) throw UsageError(std::string("weft bench: bad ") + what);
  }
  return out;
}

// An installed weft (PREFIX/bin/weft) finds the load generator and the reference servers in
// PREFIX/libexec/weft (cmake/weft_install.cmake). In the build tree the load generator sits
// beside weft and the reference servers in bench/reference.
fs::path installedHelperDir() {
  fs::path dir = fs::path(selfExe()).parent_path().parent_path() / "libexec" / "weft";
  return fs::exists(dir / "weft-loadgen") ? dir : fs::path();
}

std::string loadgenPath() {
  if (auto dir = installedHelperDir(); !dir.empty()) return (dir / "weft-loadgen").string();
  fs::path sibling = fs::path(selfExe()).parent_path() / "weft-loadgen";
  return fs::exists(sibling) ? sibling.string() : WEFT_LOADGEN_PATH;
}

fs::path referenceDir() {
  if (auto dir = installedHelperDir(); !dir.empty()) return dir;
  fs::path dir = WEFT_REFERENCE_DIR;
  // A build tree that was moved: weft is BUILD/harness/weft.
  fs::path alt = fs::path(selfExe()).parent_path().parent_path() / "bench" / "reference";
  return !fs::exists(dir / "weft-ref-raw-epoll") && fs::exists(alt) ? alt : dir;
}

std::vector<ServerSpec> referenceServers(const std::string& which) {
  std::vector<ServerSpec> out;
  if (which == "none") return out;
  fs::path dir = referenceDir();
  auto wanted = split(which);
  for (const char* name : {"raw-epoll", "libevent", "asio", "qt", "libuv"}) {
    fs::path exe = dir / (std::string("weft-ref-") + name);
    bool chosen = which == "all" || std::string(name) == "raw-epoll" ||
                  std::find(wanted.begin(), wanted.end(), name) != wanted.end();
    if (chosen && fs::exists(exe)) {
      out.push_back({std::string("ref:") + name, "reference", {exe.string()}});
    }
  }
  // Twisted's own servers on its epoll reactor, if Debian's python3-twisted is installed.
  fs::path twisted = dir / "weft-ref-twisted.py";
  bool wantTwisted =
      which == "all" || std::find(wanted.begin(), wanted.end(), "twisted") != wanted.end();
  if (wantTwisted && fs::exists(twisted) &&
      std::system("/usr/bin/python3 -c 'import twisted' >/dev/null 2>&1") == 0) {
    out.push_back({"ref:twisted", "reference", {"/usr/bin/python3", twisted.string()}});
  }
  return out;
}

// Progress on a terminal: the ETA extrapolates the rate measured so far (a run's overhead
// beyond warm-up + measurement, server start and teardown, varies by server: Twisted and Qt
// start slowly).
class Progress {
 public:
  explicit Progress(size_t total)
      : total_(total), tty_(isatty(2)), start_(std::chrono::steady_clock::now()) {}
  void step(const std::string& what) {
    ++done_;
    if (!tty_) return;
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    double left = double(total_ - done_) * elapsed.count() / double(done_);
    std::fprintf(stderr, "\r\033[K[%zu/%zu] %s  ETA %dm%02ds", done_, total_, what.c_str(),
                 int(left) / 60, int(left) % 60);
  }
  void finish() {
    if (tty_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  size_t total_, done_ = 0;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
};

struct Sample {
  nlohmann::json result;
};

class BenchRun {
 public:
  BenchRun(const BenchOptions& o, std::vector<ServerSpec> servers, std::vector<Point> points)
      : o_(o), servers_(std::move(servers)), points_(std::move(points)) {
    loadgen_ = loadgenPath();
    rotation_ = rotationOrder();
    bool pin = cpuCount() >= 2;
    serverCpu_ = pin ? o.serverCpu : -1;
    clientCpu_ = pin ? o.clientCpu : -1;
  }

  Report run() {
    // Per load generator run: every server's warm-up and measured time, plus start-up.
    double perRun = double(servers_.size()) * (o_.warmup + o_.duration) + 0.1;
    size_t total = points_.size() * size_t(o_.repeats);
    std::fprintf(stderr,
                 "weft bench: %zu points x %d repeats of %zu servers in turns = %zu runs, about "
                 "%.1f min\n",
                 points_.size(), o_.repeats, servers_.size(), total, double(total) * perRun / 60);
    Progress progress(total);
    Report report;
    for (const auto& point : points_) {
      auto rows = runPoint(point, progress);
      report.rows.insert(report.rows.end(), rows.begin(), rows.end());
    }
    progress.finish();
    report.machine = describeMachine();
    report.build = describeBuild();
    report.config = {{"duration_s", o_.duration},
                     {"warmup_s", o_.warmup},
                     {"slice_s", o_.slice},
                     {"repeats", o_.repeats},
                     {"server_cpu", serverCpu_},
                     {"client_cpu", clientCpu_},
                     {"loadgen", "weft-loadgen (raw epoll)"},
                     {"loadgen_path", loadgen_},
                     {"reference_dir", referenceDir().string()},
                     {"servers", serverNames()}};
    computeRatios(report);
    return report;
  }

 private:
  // The order the servers take turns in: each reactor right after the server it is compared
  // with (epoll after the baseline, libevent after ref:libevent, ...). The turns of a pair are
  // then one slice apart, where the machine's state has had the least time to change.
  std::vector<size_t> rotationOrder() const {
    std::vector<size_t> order;
    std::vector<bool> placed(servers_.size());
    const auto place = [&](const std::string& name) {
      for (size_t i = 0; i < servers_.size(); ++i) {
        if (servers_[i].name == name && !placed[i]) {
          placed[i] = true;
          order.push_back(i);
        }
      }
    };
    place(kBaseline);
    place(kBaselinePartner);
    for (const auto& s : servers_) {
      if (s.kind != "reactor") continue;
      place(nativeServerOf(s.name));
      place(s.name);
    }
    for (const auto& s : servers_) place(s.name);
    return order;
  }

  nlohmann::json serverNames() const {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : servers_) a.push_back(s.name);
    return a;
  }

  std::vector<Row> runPoint(const Point& point, Progress& progress) {
    std::vector<Row> rows(servers_.size());
    std::vector<Child> children(servers_.size());
    std::vector<std::string> ports(servers_.size());
    std::vector<std::vector<nlohmann::json>> samples(servers_.size());
    for (size_t i = 0; i < servers_.size(); ++i) {
      rows[i].server = servers_[i].name;
      rows[i].kind = servers_[i].kind;
      rows[i].point = point;
      auto argv = servers_[i].baseArgv;
      for (const char* a : {"--protocol", point.protocol.c_str(), "--port", "0"}) argv.push_back(a);
      children[i] = spawn(argv, {.cpu = serverCpu_, .stderrPath = "/dev/null"});
      auto line = children[i].readLine(Seconds(10));
      if (!line || line->rfind("listening on ", 0) != 0) {
        rows[i].failure = children[i].pid() ? "server did not start"
                                            : "server did not start: " + children[i].spawnError();
        continue;
      }
      ports[i] = line->substr(line->rfind(':') + 1);
    }
    for (int rep = 0; rep < o_.repeats; ++rep) {
      progress.step(point.key());
      std::vector<size_t> live;
      for (size_t i : rotation_) {
        if (rows[i].failure.empty()) live.push_back(i);
      }
      if (live.empty()) break;
      auto results = runLoadgen(point, live, ports, children);
      for (size_t k = 0; k < live.size(); ++k) {
        const auto& result = results[k];
        size_t i = live[k];
        if (result.contains("error") || !result.contains("msgs_per_s")) {
          rows[i].failure = result.value("error", "load generator failed");
          continue;
        }
        samples[i].push_back(result);
      }
    }
    for (size_t i = 0; i < servers_.size(); ++i) {
      // Longer than a reactor's own drain bound (5 s by default), so a server still flushing
      // to a departed load generator is not killed while it does what it should.
      int st = children[i].stop(Seconds(10));
      if (rows[i].failure.empty() && !exitedWith(st, 0)) {
        rows[i].failure = "server " + describeStatus(st) + " on SIGTERM";
      }
      aggregate(rows[i], samples[i]);
    }
    return rows;
  }

  // One load generator run drives every live server of the point, in turns of --slice: see
  // harness/loadgen/load_client.hpp. Returns one record per server of `live`.
  std::vector<nlohmann::json> runLoadgen(const Point& p, const std::vector<size_t>& live,
                                         const std::vector<std::string>& ports,
                                         const std::vector<Child>& children) {
    std::string portList, pidList;
    for (size_t i : live) {
      portList += (portList.empty() ? "" : ",") + ports[i];
      pidList += (pidList.empty() ? "" : ",") + std::to_string(children[i].pid());
    }
    std::vector<std::string> argv = {loadgen_,
                                     "--port",
                                     portList,
                                     "--server-pid",
                                     pidList,
                                     "--protocol",
                                     p.protocol,
                                     "--size",
                                     std::to_string(p.size),
                                     "--connections",
                                     std::to_string(p.connections),
                                     "--depth",
                                     std::to_string(p.depth),
                                     "--warmup",
                                     std::to_string(o_.warmup),
                                     "--duration",
                                     std::to_string(o_.duration),
                                     "--slice",
                                     std::to_string(o_.slice)};
    if (clientCpu_ >= 0) {
      argv.push_back("--cpu");
      argv.push_back(std::to_string(clientCpu_));
    }
    std::vector<nlohmann::json> out(live.size());
    Child lg = spawn(argv, {.stderrPath = "/dev/null"});
    if (!lg.pid()) {
      for (auto& j : out) j = {{"error", "load generator: " + lg.spawnError()}};
      return out;
    }
    double seconds = double(live.size()) * (o_.warmup + o_.duration) * 1.5 + 30;
    std::string text = lg.readAll(Seconds(seconds));
    auto st = lg.wait(Seconds(5));
    if (!st) lg.stop(Seconds(1));
    std::stringstream lines(text);
    std::string line;
    for (auto& j : out) {
      try {
        if (!std::getline(lines, line)) throw std::runtime_error("no record");
        j = nlohmann::json::parse(line);
      } catch (const std::exception&) {
        j = {{"error", "load generator " + (st ? describeStatus(*st) : "timed out")}};
      }
    }
    return out;
  }

  static void aggregate(Row& row, const std::vector<nlohmann::json>& s) {
    if (s.empty()) return;
    std::vector<double> mb, p50, p99, p999, util;
    for (const auto& j : s) {
      row.msgsPerSecond.push_back(j.value("msgs_per_s", 0.0));
      mb.push_back(j.value("mb_per_s", 0.0));
      p50.push_back(j["latency_us"].value("p50", 0.0));
      p99.push_back(j["latency_us"].value("p99", 0.0));
      p999.push_back(j["latency_us"].value("p999", 0.0));
      row.cpuPerRepeat.push_back(j.value("server_cpu_us_per_msg", 0.0));
      util.push_back(j.value("server_cpu_util", 0.0));
      row.peakRssKb = std::max(row.peakRssKb, j.value("server_vm_hwm_kb", 0L));
      row.errors += j.value("errors", 0L);
      row.verifyFailures += j.value("verify_failures", 0L);
    }
    row.msgsMedian = median(row.msgsPerSecond);
    row.msgsMin = *std::min_element(row.msgsPerSecond.begin(), row.msgsPerSecond.end());
    row.msgsMax = *std::max_element(row.msgsPerSecond.begin(), row.msgsPerSecond.end());
    row.mbPerSecond = median(mb);
    row.p50 = median(p50);
    row.p99 = median(p99);
    row.p999 = median(p999);
    row.cpuUsPerMsg = median(row.cpuPerRepeat);
    row.cpuUtil = median(util);
  }

  const BenchOptions& o_;
  std::vector<ServerSpec> servers_;
  std::vector<Point> points_;
  std::vector<size_t> rotation_;  // indices into servers_
  std::string loadgen_;
  int serverCpu_ = -1, clientCpu_ = -1;
};

}  // namespace

void addBenchOptions(CLI::App& app, BenchOptions& o) {
  app.add_option("--reactor", o.reactors, "reactors to serve on: all, none or a comma list");
  app.add_option("--protocol", o.protocols, "comma list of echo,lenprefix,line");
  app.add_option("--size", o.sizes, "comma list of payload sizes in bytes");
  app.add_option("--connections", o.connections, "comma list of connection counts");
  app.add_option("--depth", o.depths, "comma list of depths (1 = ping-pong)");
  app.add_option("--reference", o.references,
                 "reference servers: all, none or a comma list (raw-epoll is always kept)");
  app.add_option("--duration", o.duration, "measured seconds per server and repeat");
  app.add_option("--warmup", o.warmup, "warm-up seconds per server and repeat");
  app.add_option("--slice", o.slice, "seconds a server is driven before the next takes its turn")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", o.repeats, "runs per point (the median is reported)")
      ->check(CLI::Range(1, 100));
  app.add_option("--report", o.reportDir, "write report.json, report.md, index.html here");
  app.add_option("--server-cpu", o.serverCpu, "CPU the servers are pinned to");
  app.add_option("--client-cpu", o.clientCpu, "CPU the load generator is pinned to");
}

int runBench(const BenchOptions& o) {
  std::vector<ServerSpec> servers;
  std::string self = selfExe();
  if (o.reactors != "none") {
    for (const auto& r : expandReactorList(o.reactors)) {
      servers.push_back({r, "reactor", {self, "serve", "--reactor", r, "--delimiter", "lf"}});
    }
  }
  for (auto& ref : referenceServers(o.references)) servers.push_back(ref);
  std::vector<Point> points;
  for (const auto& p : split(o.protocols)) {
    if (p != "echo" && p != "lenprefix" && p != "line") {
      throw UsageError("weft bench: protocol must be echo, lenprefix or line, not '" + p + "'");
    }
    for (int size : splitInts(o.sizes, "size")) {
      for (int c : splitInts(o.connections, "connection count")) {
        for (int d : splitInts(o.depths, "depth")) points.push_back({p, size, c, d});
      }
    }
  }
  if (servers.empty() || points.empty()) throw UsageError("weft bench: nothing to measure");
  Report report = BenchRun(o, servers, points).run();
  std::string md = renderMarkdown(report);
  std::cout << md << std::flush;
  if (!o.reportDir.empty()) {
    fs::create_directories(o.reportDir);
    std::ofstream(fs::path(o.reportDir) / "report.json") << reportToJson(report).dump(2) << "\n";
    std::ofstream(fs::path(o.reportDir) / "report.md") << md;
    std::ofstream(fs::path(o.reportDir) / "index.html") << renderHtml(report);
    std::cerr << "weft bench: report written to " << o.reportDir << "\n";
  }
  bool bad = std::any_of(report.rows.begin(), report.rows.end(),
                         [](const Row& r) { return !r.failure.empty() || r.verifyFailures > 0; });
  return bad ? kExitFailure : kExitOk;
}

}  // namespace weft::harness
