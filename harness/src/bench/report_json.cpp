// report.json: (de)serialisation, the machine/build description and the baseline ratios.
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <utility>

#include "bench/bench_model.hpp"
#include "common/process.hpp"

namespace weft::harness {

std::string Point::key() const {
  return protocol + "/" + std::to_string(size) + "B/c" + std::to_string(connections) + "/d" +
         std::to_string(depth) + (idle ? "/i" + std::to_string(idle) : "") +
         (loadPercent ? "/open" + std::to_string(loadPercent) : "");
}

std::string Point::label() const {
  std::string l = std::to_string(size) + " B, " + std::to_string(connections) + " conn, ";
  if (loadPercent) return l + "open loop " + std::to_string(loadPercent) + "% of peak";
  l += "depth " + std::to_string(depth);
  return idle ? l + ", " + std::to_string(idle) + " idle" : l;
}

namespace {

std::string firstLineOf(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    if (fgets(buf, sizeof buf, p)) out = buf;
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string cpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

nlohmann::json describeMachine() {
  utsname u{};
  uname(&u);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return {{"hostname", host},
          {"cpu_model", cpuModel()},
          {"cpus", cpuCount()},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"arch", u.machine}};
}

nlohmann::json describeBuild() {
  std::string src = WEFT_SOURCE_DIR;
  std::string commit = firstLineOf("git -C '" + src + "' rev-parse HEAD 2>/dev/null");
  std::string dirty = firstLineOf("git -C '" + src + "' status --porcelain 2>/dev/null | head -1");
  return {{"compiler", std::string(WEFT_COMPILER_ID) + " " + __VERSION__},
          {"build_type", WEFT_BUILD_TYPE},
          {"flags", WEFT_BUILD_FLAGS},
          {"commit", commit.empty() ? "unknown" : commit},
          {"dirty", !dirty.empty()}};
}

void computeRatios(Report& r) {
  // (point, server) -> row, for the rows that measured something.
  std::map<std::pair<std::string, std::string>, const Row*> measured;
  for (const auto& row : r.rows) {
    if (row.failure.empty()) measured[{row.point.key(), row.server}] = &row;
  }
  const auto find = [&](const Row& row, const std::string& server) -> const Row* {
    auto it = measured.find({row.point.key(), server});
    return it == measured.end() ? nullptr : it->second;
  };
  // Two rows of a point with as many repeats come from the same load generator runs (a server
  // that fails drops out of the point), so repeat i of each is a pair. Without repeats (a
  // report from before they were recorded) the medians are compared.
  const auto ratio = [](const std::vector<double>& a, const std::vector<double>& b, double aMed,
                        double bMed, Spread& spread) {
    bool paired = !a.empty() && a.size() == b.size() &&
                  std::all_of(b.begin(), b.end(), [](double x) { return x > 0; });
    if (!paired) {
      double r = bMed > 0 ? aMed / bMed : 0;
      spread = {r, r};
      return r;
    }
    std::vector<double> each(a.size());
    for (size_t i = 0; i < a.size(); ++i) each[i] = a[i] / b[i];
    spread = {*std::min_element(each.begin(), each.end()),
              *std::max_element(each.begin(), each.end())};
    return median(each);
  };
  for (auto& row : r.rows) {
    if (!row.failure.empty()) continue;
    if (const Row* b = find(row, kBaseline)) {
      row.ratioThroughput = ratio(row.msgsPerSecond, b->msgsPerSecond, row.msgsMedian,
                                  b->msgsMedian, row.ratioThroughputSpread);
      row.ratioCpu = ratio(row.cpuPerRepeat, b->cpuPerRepeat, row.cpuUsPerMsg, b->cpuUsPerMsg,
                           row.ratioCpuSpread);
    }
    const Row* n = row.kind == "reactor" ? find(row, nativeServerOf(row.server)) : nullptr;
    if (n) {
      row.native = n->server;
      row.ratioNativeThroughput = ratio(row.msgsPerSecond, n->msgsPerSecond, row.msgsMedian,
                                        n->msgsMedian, row.ratioNativeThroughputSpread);
      row.ratioNativeCpu = ratio(row.cpuPerRepeat, n->cpuPerRepeat, row.cpuUsPerMsg, n->cpuUsPerMsg,
                                 row.ratioNativeCpuSpread);
    }
  }
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

nlohmann::json reportToJson(const Report& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& x : r.rows) {
    nlohmann::json j = {
        {"server", x.server},
        {"kind", x.kind},
        {"protocol", x.point.protocol},
        {"size", x.point.size},
        {"connections", x.point.connections},
        {"depth", x.point.depth},
        {"msgs_per_s",
         {{"median", x.msgsMedian},
          {"min", x.msgsMin},
          {"max", x.msgsMax},
          {"repeats", x.msgsPerSecond}}},
        {"mb_per_s", x.mbPerSecond},
        {"latency_us", {{"p50", x.p50}, {"p99", x.p99}, {"p999", x.p999}, {"max", x.maxLatency}}},
        {"server_cpu_us_per_msg", x.cpuUsPerMsg},
        {"server_cpu_us_per_msg_repeats", x.cpuPerRepeat},
        {"server_cpu_util", x.cpuUtil},
        {"server_peak_rss_kb", x.peakRssKb},
        {"errors", x.errors},
        {"verify_failures", x.verifyFailures},
        {"ratio_vs_baseline",
         {{"throughput", x.ratioThroughput},
          {"cpu_per_msg", x.ratioCpu},
          {"throughput_min_max", {x.ratioThroughputSpread.min, x.ratioThroughputSpread.max}},
          {"cpu_per_msg_min_max", {x.ratioCpuSpread.min, x.ratioCpuSpread.max}}}},
    };
    if (x.point.idle) {
      j["idle"] = x.point.idle;
      j["idle_opened"] = x.idleOpened;
      j["idle_refused"] = x.idleRefused;
    }
    if (x.point.loadPercent) {
      j["load_percent"] = x.point.loadPercent;
      j["offered_msgs_per_s"] = x.offeredRate;
    }
    if (x.voluntaryCsPerMsg >= 0) {
      j["server_cs_per_msg"] = {{"voluntary", x.voluntaryCsPerMsg},
                                {"involuntary", x.involuntaryCsPerMsg}};
    }
    if (!x.native.empty()) {
      j["ratio_vs_native"] = {{"server", x.native},
                              {"throughput", x.ratioNativeThroughput},
                              {"cpu_per_msg", x.ratioNativeCpu}};
    }
    if (!x.failure.empty()) j["failure"] = x.failure;
    rows.push_back(j);
  }
  std::time_t now = std::time(nullptr);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {{"schema", "weft-bench/1"},
          {"generated", stamp},
          {"baseline", kBaseline},
          {"machine", r.machine},
          {"build", r.build},
          {"config", r.config},
          {"rows", rows}};
}

Report reportFromJson(const nlohmann::json& j) {
  if (j.value("schema", "") != "weft-bench/1") {
    throw std::runtime_error("not a weft-bench/1 report");
  }
  Report r;
  r.machine = j.value("machine", nlohmann::json::object());
  r.build = j.value("build", nlohmann::json::object());
  r.config = j.value("config", nlohmann::json::object());
  for (const auto& x : j.at("rows")) {
    Row row;
    row.server = x.at("server");
    row.kind = x.value("kind", "");
    row.point = {x.at("protocol"), x.at("size"),       x.at("connections"),
                 x.at("depth"),    x.value("idle", 0), x.value("load_percent", 0)};
    row.offeredRate = x.value("offered_msgs_per_s", 0.0);
    row.idleOpened = x.value("idle_opened", 0L);
    row.idleRefused = x.value("idle_refused", 0L);
    row.maxLatency = x.at("latency_us").value("max", 0.0);
    if (x.contains("server_cs_per_msg")) {
      row.voluntaryCsPerMsg = x["server_cs_per_msg"].value("voluntary", -1.0);
      row.involuntaryCsPerMsg = x["server_cs_per_msg"].value("involuntary", -1.0);
    }
    row.msgsMedian = x.at("msgs_per_s").at("median");
    row.msgsMin = x.at("msgs_per_s").value("min", 0.0);
    row.msgsMax = x.at("msgs_per_s").value("max", 0.0);
    row.msgsPerSecond = x.at("msgs_per_s").value("repeats", std::vector<double>{});
    row.mbPerSecond = x.value("mb_per_s", 0.0);
    row.p50 = x.at("latency_us").value("p50", 0.0);
    row.p99 = x.at("latency_us").value("p99", 0.0);
    row.p999 = x.at("latency_us").value("p999", 0.0);
    row.cpuUsPerMsg = x.value("server_cpu_us_per_msg", 0.0);
    row.cpuPerRepeat = x.value("server_cpu_us_per_msg_repeats", std::vector<double>{});
    row.cpuUtil = x.value("server_cpu_util", 0.0);
    row.peakRssKb = x.value("server_peak_rss_kb", 0L);
    row.errors = x.value("errors", 0L);
    row.verifyFailures = x.value("verify_failures", 0L);
    row.failure = x.value("failure", "");
    r.rows.push_back(row);
  }
  computeRatios(r);
  return r;
}

}  // namespace weft::harness
