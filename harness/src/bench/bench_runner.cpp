// weft bench: every server (weft serve on each reactor, each reference server, each --server)
// x every point, repeated. Servers run pinned to one CPU and the load generator to another.
// Within a repeat one load generator run drives all the servers of the point in turns of a few
// milliseconds, so a disturbance of the shared machine hits every row alike instead of spoiling
// one server's run. Three kinds of point: the closed-loop matrix (protocol x size x connections
// x depth), idle connections beside 64 active ones, and the open loop at fractions of each
// server's peak.
#include <sys/resource.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "bench/bench_command.hpp"
#include "bench/bench_model.hpp"
#include "bench/bench_servers.hpp"
#include "bench/loadgen_record.hpp"
#include "cli/comma_list.hpp"
#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"
#include "common/process.hpp"

namespace weft::harness {

namespace fs = std::filesystem;

namespace {

std::vector<int> splitInts(const std::string& s, const char* what, bool zeroOk = false) {
  std::vector<int> out;
  for (const auto& item : splitCommaList(s)) {
    try {
      out.push_back(std::stoi(item));
    } catch (const std::exception&) {
      throw UsageError(std::string("weft bench: bad ") + what + " '" + item + "'");
    }
    if (out.back() < 0 || (out.back() == 0 && !zeroOk)) {
      throw UsageError(std::string("weft bench: bad ") + what);
    }
  }
  return out;
}

// The file descriptors one load generator run may spend on connections: RLIMIT_NOFILE's hard
// limit (weft-loadgen raises its soft limit to it), less room for everything else.
long connectionFdBudget() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY) return 100000;
  return std::max<long>(64, long(rl.rlim_max) - 256);
}

// The command line as typed, for report.json (reproducing a run starts there).
std::string commandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  std::stringstream args(all);
  for (std::string a; std::getline(args, a, '\0');) {
    bool plain = !a.empty() && a.find_first_of(" \t'\"$\\*?;&|<>(){}") == std::string::npos;
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += (out.empty() ? "" : " ") + (plain ? a : quoted + "'");
  }
  return out;
}

// Progress on a terminal: the ETA extrapolates the rate measured so far.
class Progress {
 public:
  explicit Progress(size_t total)
      : total_(total), tty_(isatty(2)), start_(std::chrono::steady_clock::now()) {}
  void step(const std::string& what) {
    ++done_;
    if (!tty_) return;
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    double left = double(total_ - std::min(done_, total_)) * elapsed.count() / double(done_);
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

// One point as run: the point, and for the open loop each server's offered rate.
struct Plan {
  Point point;
  std::vector<double> rates;  // by server index; empty = closed loop
};

class BenchRun {
 public:
  BenchRun(const BenchOptions& o, std::vector<ServerSpec> servers)
      : o_(o), servers_(std::move(servers)) {
    loadgen_ = loadgenPath();
    rotation_ = rotationOrder();
    bool pin = cpuCount() >= 2;
    serverCpu_ = pin ? o.serverCpu : -1;
    clientCpu_ = pin ? o.clientCpu : -1;
  }

  Report run(const std::vector<Point>& matrix, const std::vector<Point>& idlePoints,
             const std::vector<int>& loadPercents, const Point& peakPoint) {
    size_t runs = matrix.size() * size_t(o_.repeats) + idlePoints.size() * size_t(o_.idleRepeats);
    if (!loadPercents.empty())
      runs += size_t(o_.repeats) + loadPercents.size() * size_t(o_.openLoopRepeats);
    double perRun = double(servers_.size()) * (o_.warmup + o_.duration) + 0.1;
    std::fprintf(stderr,
                 "weft bench: %zu load generator runs of %zu servers in turns, about %.1f min\n",
                 runs, servers_.size(), double(runs) * perRun / 60);
    Progress progress(runs);
    Report report;
    const auto add = [&](const Plan& plan, int repeats, double duration) {
      auto rows = runPoint(plan, repeats, duration, progress);
      report.rows.insert(report.rows.end(), rows.begin(), rows.end());
      return rows;
    };
    for (const auto& p : matrix) add({p, {}}, o_.repeats, o_.duration);
    for (const auto& p : idlePoints) add({p, {}}, o_.idleRepeats, o_.duration);
    if (!loadPercents.empty()) {
      std::vector<Row> peaks = findRows(report, peakPoint);
      if (peaks.empty()) peaks = add({peakPoint, {}}, o_.repeats, o_.duration);
      for (int pct : loadPercents) {
        Plan plan{peakPoint, std::vector<double>(servers_.size(), 0.0)};
        plan.point.loadPercent = pct;
        for (size_t i = 0; i < servers_.size(); ++i) {
          plan.rates[i] = peaks[i].failure.empty() ? peaks[i].msgsMedian * pct / 100.0 : 0;
        }
        add(plan, o_.openLoopRepeats, o_.openLoopDuration);
      }
    }
    progress.finish();
    report.machine = describeMachine();
    report.build = describeBuild();
    report.config = {{"command_line", commandLine()},
                     {"duration_s", o_.duration},
                     {"warmup_s", o_.warmup},
                     {"slice_s", o_.slice},
                     {"repeats", o_.repeats},
                     {"open_loop_percents", loadPercents},
                     {"open_loop_duration_s", o_.openLoopDuration},
                     {"open_loop_repeats", o_.openLoopRepeats},
                     {"server_cpu", serverCpu_},
                     {"client_cpu", clientCpu_},
                     {"loadgen", "weft-loadgen (raw epoll)"},
                     {"loadgen_path", loadgen_},
                     {"reference_dir", referenceDirPath()},
                     {"servers", serverNames()}};
    computeRatios(report);
    return report;
  }

 private:
  // This run's rows at `p`, by server index, or none.
  std::vector<Row> findRows(const Report& r, const Point& p) const {
    std::vector<Row> out;
    for (const auto& s : servers_) {
      auto it = std::find_if(r.rows.begin(), r.rows.end(), [&](const Row& row) {
        return row.server == s.name && row.point.key() == p.key();
      });
      if (it == r.rows.end()) return {};
      out.push_back(*it);
    }
    return out;
  }

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

  // Starts server i for the point; "" or why it failed.
  std::string start(size_t i, const Point& point, Child& child, std::string& port) {
    const ServerSpec& s = servers_[i];
    bool external = s.kind == kExternalKind;
    child = spawn(serverArgv(s, point.protocol), {.cpu = serverCpu_, .stderrPath = "/dev/null"});
    if (!child.pid()) return "server did not start: " + child.spawnError();
    constexpr double kStartSeconds = 10;
    auto line = child.readLine(Seconds(kStartSeconds));
    if (!line) {
      auto st = child.wait(Seconds(0.2));
      if (!external) return "server did not start";
      return contractNoAnnouncement(kStartSeconds, st.has_value(), st ? describeStatus(*st) : "");
    }
    size_t colon = line->rfind(':');
    if (line->rfind("listening on ", 0) != 0 || colon == std::string::npos ||
        std::atoi(line->c_str() + colon + 1) <= 0) {
      return external ? contractBadAnnouncement(*line) : "server did not start: " + *line;
    }
    port = line->substr(colon + 1);
    return "";
  }

  std::vector<Row> runPoint(const Plan& plan, int repeats, double duration, Progress& progress) {
    const Point& point = plan.point;
    std::vector<Row> rows(servers_.size());
    std::vector<Child> children(servers_.size());
    std::vector<std::string> ports(servers_.size());
    std::vector<std::vector<nlohmann::json>> samples(servers_.size());
    for (size_t i = 0; i < servers_.size(); ++i) {
      rows[i].server = servers_[i].name;
      rows[i].kind = servers_[i].kind;
      rows[i].point = point;
      if (!plan.rates.empty()) {
        rows[i].offeredRate = plan.rates[i];
        if (plan.rates[i] <= 0) {
          rows[i].failure = "no closed-loop peak to take a fraction of";
          continue;
        }
      }
      rows[i].failure = start(i, point, children[i], ports[i]);
    }
    for (int rep = 0; rep < repeats; ++rep) {
      progress.step(point.key());
      std::vector<size_t> live;
      for (size_t i : rotation_) {
        if (rows[i].failure.empty()) live.push_back(i);
      }
      if (live.empty()) break;
      // As many servers per load generator run as its file descriptors allow (10,000 idle
      // connections each: one at a time), in rotation order, so pairs stay together.
      size_t perRun =
          std::max<size_t>(1, size_t(connectionFdBudget() / long(point.connections + point.idle)));
      for (size_t at = 0; at < live.size(); at += perRun) {
        std::vector<size_t> batch(live.begin() + long(at),
                                  live.begin() + long(std::min(live.size(), at + perRun)));
        auto results = runLoadgen(plan, duration, batch, ports, children);
        for (size_t k = 0; k < batch.size(); ++k) {
          size_t i = batch[k];
          const auto& result = results[k];
          if (auto why = loadgenRecordProblem(result); !why.empty()) {
            rows[i].failure = servers_[i].kind == kExternalKind && why.rfind("connect", 0) == 0
                                  ? "breaks the serve contract: the port it announced (" +
                                        ports[i] + ") refuses connections (" + why + ")"
                                  : why;
            continue;
          }
          samples[i].push_back(result);
        }
      }
    }
    for (size_t i = 0; i < servers_.size(); ++i) {
      if (!children[i].pid()) continue;
      // Longer than a reactor's own drain bound (5 s by default), so a server still flushing
      // to a departed load generator is not killed while it does what it should.
      bool asked = children[i].requestStop();
      std::optional<int> st = asked ? children[i].wait(Seconds(10)) : std::nullopt;
      bool hung = !st;
      if (hung) st = children[i].stop(Seconds(1));
      if (rows[i].failure.empty() && (hung || !exitedWith(*st, 0))) {
        std::string status = describeStatus(*st);
        if (servers_[i].kind == kExternalKind) {
          rows[i].failure =
              contractBadStop(hung ? "it was still running 10 s later" : "it ended with " + status);
        } else {
          rows[i].failure = hung ? "server still running 10 s after SIGTERM (then " + status + ")"
                                 : "server " + status + " on SIGTERM";
        }
      }
      aggregate(rows[i], samples[i]);
      if (rows[i].failure.empty() && rows[i].verifyFailures > 0 &&
          servers_[i].kind == kExternalKind) {
        rows[i].failure = "breaks the serve contract: its replies differ from the messages sent";
      }
    }
    return rows;
  }

  // One load generator run drives the servers of `batch`, in turns of --slice: see
  // harness/loadgen/load_client.hpp. Returns one record per server of `batch`.
  std::vector<nlohmann::json> runLoadgen(const Plan& plan, double duration,
                                         const std::vector<size_t>& batch,
                                         const std::vector<std::string>& ports,
                                         const std::vector<Child>& children) {
    const Point& p = plan.point;
    std::string portList, pidList, rateList;
    for (size_t i : batch) {
      const char* sep = portList.empty() ? "" : ",";
      portList += sep + ports[i];
      pidList += sep + std::to_string(children[i].pid());
      if (!plan.rates.empty()) rateList += sep + std::to_string(plan.rates[i]);
    }
    // An open loop's turns are longer: its tail is what is measured, and each turn's schedule
    // starts afresh.
    double slice = plan.rates.empty() ? o_.slice : std::max(o_.slice, 0.1);
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
                                     std::to_string(duration),
                                     "--slice",
                                     std::to_string(slice)};
    if (!rateList.empty()) argv.insert(argv.end(), {"--rate", rateList});
    if (p.idle > 0) argv.insert(argv.end(), {"--idle", std::to_string(p.idle)});
    if (!o_.histogramsDir.empty()) argv.push_back("--histogram");
    if (clientCpu_ >= 0) argv.insert(argv.end(), {"--cpu", std::to_string(clientCpu_)});
    std::vector<nlohmann::json> out(batch.size());
    Child lg = spawn(argv, {.stderrPath = "/dev/null"});
    if (!lg.pid()) {
      for (auto& j : out) j = {{"error", "load generator: " + lg.spawnError()}};
      return out;
    }
    double seconds = double(batch.size()) * (o_.warmup + duration) * 1.5 + 30 +
                     double(p.idle * batch.size()) * 0.002;
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
    std::vector<double> mb, p50, p99, p999, util, vcs, ics;
    // The fields every record has are read with at(): loadgenRecordProblem() let only
    // complete records in. value() is for the optional ones (context switches, idle, histogram).
    for (const auto& j : s) {
      row.msgsPerSecond.push_back(j.at("msgs_per_s").get<double>());
      mb.push_back(j.at("mb_per_s").get<double>());
      p50.push_back(j.at("latency_us").at("p50").get<double>());
      p99.push_back(j.at("latency_us").at("p99").get<double>());
      p999.push_back(j.at("latency_us").at("p999").get<double>());
      row.maxLatency = std::max(row.maxLatency, j.at("latency_us").at("max").get<double>());
      row.cpuPerRepeat.push_back(j.at("server_cpu_us_per_msg").get<double>());
      util.push_back(j.at("server_cpu_util").get<double>());
      if (j.contains("server_voluntary_cs_per_msg")) {
        vcs.push_back(j.value("server_voluntary_cs_per_msg", 0.0));
        ics.push_back(j.value("server_involuntary_cs_per_msg", 0.0));
      }
      row.peakRssKb = std::max(row.peakRssKb, j.at("server_vm_hwm_kb").get<long>());
      row.errors += j.at("errors").get<long>();
      row.verifyFailures += j.at("verify_failures").get<long>();
      row.idleOpened = std::max(row.idleOpened, j.value("idle_opened", 0L));
      row.idleRefused = std::max(row.idleRefused, j.value("idle_refused", 0L));
      for (const auto& b : j.value("histogram_ns", nlohmann::json::array())) {
        row.histogramNs[b.at(0).get<uint64_t>()] += b.at(1).get<uint64_t>();
      }
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
    if (!vcs.empty()) {
      row.voluntaryCsPerMsg = median(vcs);
      row.involuntaryCsPerMsg = median(ics);
    }
  }

  const BenchOptions& o_;
  std::vector<ServerSpec> servers_;
  std::vector<size_t> rotation_;  // indices into servers_
  std::string loadgen_;
  int serverCpu_ = -1, clientCpu_ = -1;
};

// The raw latency histograms, one text file per row: "latency_us count" per non-empty bucket
// (bucket midpoints of weft-loadgen's log-linear histogram, ~3% wide), summed over repeats.
void writeHistograms(const Report& report, const std::string& dir) {
  fs::create_directories(dir);
  for (const auto& row : report.rows) {
    if (row.histogramNs.empty()) continue;
    std::string name = row.server + "_" + row.point.key();
    std::replace_if(
        name.begin(), name.end(), [](char c) { return c == '/' || c == ':'; }, '_');
    std::ofstream out(fs::path(dir) / (name + ".txt"));
    out << "# " << row.server << " " << row.point.key() << "\n# latency_us count\n";
    for (const auto& [ns, n] : row.histogramNs) out << double(ns) / 1e3 << " " << n << "\n";
  }
}

}  // namespace

void addBenchOptions(CLI::App& app, BenchOptions& o) {
  app.add_option("--reactor", o.reactors, "reactors to serve on: all, none or a comma list");
  app.add_option("--protocol", o.protocols, "comma list of " + joinedWireNames(",", kBenchWires));
  app.add_option("--size", o.sizes, "comma list of payload sizes in bytes");
  app.add_option("--connections", o.connections,
                 "comma list of connection counts (the scaling axis: 1,16,64,256,1000)");
  app.add_option("--depth", o.depths, "comma list of depths (1 = ping-pong)");
  app.add_option("--reference", o.references,
                 "reference servers: all, none or a comma list (raw-epoll is always kept)");
  app.add_option("--server", o.servers,
                 "NAME=CMD: also measure this program (serve contract: prints 'listening on "
                 "HOST:PORT', takes --protocol P --port 0 or {protocol}/{port} in CMD, exits 0 "
                 "on SIGTERM); repeatable");
  app.add_option("--open-loop", o.openLoop,
                 "open loop at these percentages of each server's peak (e.g. 25,50,75,90)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--open-loop-connections", o.openLoopConnections,
                 "connections of the open-loop point (and of its closed-loop peak)")
      ->check(CLI::Range(1, 10000));
  app.add_option("--open-loop-depth", o.openLoopDepth, "depth of the closed-loop peak run")
      ->check(CLI::Range(1, 4096));
  app.add_option("--open-loop-duration", o.openLoopDuration,
                 "measured seconds per server and open-loop repeat");
  app.add_option("--open-loop-repeats", o.openLoopRepeats, "repeats of each open-loop level")
      ->check(CLI::Range(1, 100));
  app.add_option("--idle", o.idle,
                 "idle connections beside the active ones, comma list (e.g. 0,1000,10000)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--idle-active", o.idleConnections, "active connections of the idle points")
      ->check(CLI::Range(1, 10000));
  app.add_option("--idle-repeats", o.idleRepeats, "repeats of each idle point")
      ->check(CLI::Range(1, 100));
  app.add_option("--render", o.renderFrom,
                 "write report.md and index.html from this report.json (with --report DIR), "
                 "measuring nothing");
  app.add_option("--histograms", o.histogramsDir, "write each row's raw latency histogram here")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--duration", o.duration, "measured seconds per server and repeat");
  app.add_option("--warmup", o.warmup, "warm-up seconds per server and repeat");
  app.add_option("--slice", o.slice, "seconds a server is driven before the next takes its turn")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", o.repeats, "runs per point (the median is reported)")
      ->check(CLI::Range(1, 100));
  app.add_option("--report", o.reportDir, "write report.json, report.md, index.html here");
  app.add_option("--server-cpu", o.serverCpu, "CPU the servers are pinned to");
  app.add_option("--client-cpu", o.clientCpu, "CPU the load generator is pinned to");
  app.add_option("--serve-fault", o.serveFault, "serve with --fault NAME (tests only)")->group("");
}

namespace {

void writeReport(const Report& report, const std::string& dir, const std::string& md,
                 bool withJson) {
  fs::create_directories(dir);
  if (withJson) {
    std::ofstream(fs::path(dir) / "report.json") << reportToJson(report).dump(2) << "\n";
  }
  std::ofstream(fs::path(dir) / "report.md") << md;
  std::ofstream(fs::path(dir) / "index.html") << renderHtml(report);
  std::cerr << "weft bench: report written to " << dir << "\n";
}

int renderOnly(const BenchOptions& o) {
  std::ifstream in(o.renderFrom);
  if (!in) throw UsageError("weft bench: cannot read " + o.renderFrom);
  Report report;
  try {
    report = reportFromJson(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw UsageError("weft bench: " + o.renderFrom + ": " + e.what());
  }
  std::string md = renderMarkdown(report);
  std::cout << md << std::flush;
  if (!o.reportDir.empty()) writeReport(report, o.reportDir, md, false);
  return kExitOk;
}

}  // namespace

int runBench(const BenchOptions& o) {
  if (!o.renderFrom.empty()) return renderOnly(o);
  std::vector<ServerSpec> servers;
  std::string self = selfExe();
  if (o.reactors != "none") {
    for (const auto& r : expandReactorList(o.reactors)) {
      servers.push_back({r, "reactor", {self, "serve", "--reactor", r, "--delimiter", "lf"}, {}});
      if (!o.serveFault.empty()) {
        servers.back().baseArgv.push_back("--fault");
        servers.back().baseArgv.push_back(o.serveFault);
      }
    }
  }
  for (auto& ref : referenceServers(o.references)) servers.push_back(ref);
  for (const auto& spec : o.servers) {
    ServerSpec s = parseExternalServer(spec);
    for (const auto& other : servers) {
      if (other.name == s.name) throw UsageError("weft bench: two servers named " + s.name);
    }
    servers.push_back(s);
  }
  std::vector<Point> matrix, idlePoints;
  std::set<std::string> keys;
  auto protocols = splitCommaList(o.protocols);
  for (const auto& p : protocols) {
    auto wire = parseWire(p);
    if (!wire || std::find(kBenchWires.begin(), kBenchWires.end(), *wire) == kBenchWires.end()) {
      throw UsageError("weft bench: protocol must be one of " + joinedWireNames(", ", kBenchWires) +
                       ", not '" + p + "'");
    }
    for (int size : splitInts(o.sizes, "size")) {
      for (int c : splitInts(o.connections, "connection count")) {
        for (int d : splitInts(o.depths, "depth")) {
          Point pt{p, size, c, d};
          if (keys.insert(pt.key()).second) matrix.push_back(pt);
        }
      }
    }
  }
  auto sizes = splitInts(o.sizes, "size");
  if (servers.empty() || protocols.empty() || sizes.empty()) {
    throw UsageError("weft bench: nothing to measure");
  }
  // The idle and open-loop points use the first protocol and size.
  for (int idle : splitInts(o.idle, "idle count", true)) {
    Point pt{protocols[0], sizes[0], o.idleConnections, 1, idle};
    if (keys.insert(pt.key()).second) idlePoints.push_back(pt);
  }
  std::vector<int> loadPercents = splitInts(o.openLoop, "open-loop percentage");
  for (int pct : loadPercents) {
    if (pct > 100) throw UsageError("weft bench: open-loop percentages go up to 100");
  }
  Point peak{protocols[0], sizes[0], o.openLoopConnections, o.openLoopDepth};
  Report report = BenchRun(o, servers).run(matrix, idlePoints, loadPercents, peak);
  std::string md = renderMarkdown(report);
  std::cout << md << std::flush;
  if (!o.reportDir.empty()) writeReport(report, o.reportDir, md, true);
  if (!o.histogramsDir.empty()) writeHistograms(report, o.histogramsDir);
  // A server given with --server that breaks the contract: one line naming the broken part.
  std::set<std::string> told;
  for (const auto& r : report.rows) {
    if (r.kind == kExternalKind && !r.failure.empty() && told.insert(r.server).second) {
      std::cerr << "weft bench: server " << r.server << " " << r.failure << "\n";
    }
  }
  bool bad = false;
  for (const Row& r : report.rows) {
    if (auto problem = rowProblem(r); !problem.empty()) {
      bad = true;
      if (r.kind == kExternalKind && !r.failure.empty()) continue;  // told above
      std::cerr << "weft bench: " << r.server << " " << r.point.key() << ": " << problem << "\n";
    }
  }
  return bad ? kExitFailure : kExitOk;
}

}  // namespace weft::harness
