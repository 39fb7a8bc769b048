// index.html: one self-contained page — machine and build, SVG charts (throughput per backend
// per protocol/size, latency percentiles, CPU per message) and the full table.
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "bench/bench_model.hpp"

#include "bench/report_charts.hpp"
#include "bench/svg_chart.hpp"
#include "common/markup.hpp"

namespace weft::harness {

namespace {

std::string shortPoint(const Point& p) {
  return "c" + std::to_string(p.connections) + " d" + std::to_string(p.depth);
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

template <class T>
void addUnique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

struct Index {
  std::vector<std::string> servers, protocols;
  std::map<std::string, const Row*> byKey;  // server + point key
  explicit Index(const Report& r) {
    for (const auto& row : r.rows) {
      addUnique(servers, row.server);
      addUnique(protocols, row.point.protocol);
      if (row.failure.empty()) byKey[row.server + "|" + row.point.key()] = &row;
    }
  }
  const Row* find(const std::string& server, const Point& p) const {
    auto it = byKey.find(server + "|" + p.key());
    return it == byKey.end() ? nullptr : it->second;
  }
};

std::vector<Point> pointsOf(const Report& r, const std::string& protocol, int size = -1) {
  std::vector<Point> out;
  std::set<std::string> seen;
  for (const auto& row : r.rows) {
    const Point& p = row.point;
    if (p.idle || p.loadPercent) continue;  // their own charts (report_charts.cpp)
    if (p.protocol != protocol || (size >= 0 && p.size != size)) continue;
    if (seen.insert(p.key()).second) out.push_back(p);
  }
  return out;
}

std::string charts(const Report& r, const Index& ix) {
  std::ostringstream out;
  out << "<h2>Raw figures: throughput</h2>\n";
  for (const auto& proto : ix.protocols) {
    std::vector<int> sizes;
    for (const auto& p : pointsOf(r, proto)) addUnique(sizes, p.size);
    for (int size : sizes) {
      BarChart c{"throughput-" + proto + "-" + std::to_string(size),
                 "Throughput, " + proto + ", " + std::to_string(size) + " B (messages/s)",
                 "messages/s",
                 {},
                 ix.servers,
                 {},
                 {},
                 {},
                 0};
      for (const auto& p : pointsOf(r, proto, size)) {
        c.groups.push_back(shortPoint(p));
        std::vector<double> vals;
        for (const auto& s : ix.servers) {
          const Row* row = ix.find(s, p);
          vals.push_back(row ? row->msgsMedian : 0);
        }
        c.values.push_back(vals);
      }
      out << renderBarChart(c);
    }
  }
  out << "<h2>Latency percentiles (ping-pong)</h2>\n";
  for (const auto& proto : ix.protocols) {
    for (const auto& p : pointsOf(r, proto)) {
      if (p.depth != 1) continue;
      BarChart c{
          "latency-" + proto + "-" + std::to_string(p.size) + "-c" + std::to_string(p.connections),
          "Latency, " + proto + ", " + p.label() + " (microseconds)",
          "microseconds",
          {},
          {"p50", "p99", "p99.9"},
          {},
          {},
          {},
          0};
      for (const auto& s : ix.servers) {
        const Row* row = ix.find(s, p);
        if (!row) continue;
        c.groups.push_back(s);
        c.values.push_back({row->p50, row->p99, row->p999});
      }
      out << renderBarChart(c);
    }
  }
  out << "<h2>Server CPU per message</h2>\n";
  for (const auto& proto : ix.protocols) {
    BarChart c{"cpu-" + proto,
               "Server CPU per message, " + proto + " (microseconds)",
               "CPU us / message",
               {},
               ix.servers,
               {},
               {},
               {},
               0};
    for (const auto& p : pointsOf(r, proto)) {
      c.groups.push_back(std::to_string(p.size) + "B " + shortPoint(p));
      std::vector<double> vals;
      for (const auto& s : ix.servers) {
        const Row* row = ix.find(s, p);
        vals.push_back(row ? row->cpuUsPerMsg : 0);
      }
      c.values.push_back(vals);
    }
    out << renderBarChart(c);
  }
  return out.str();
}

std::string table(const Report& r) {
  std::ostringstream t;
  t << "<h2>All rows</h2>\n<table>\n<tr><th>protocol</th><th>point</th><th>server</th>"
       "<th>msg/s</th><th>min</th><th>max</th><th>x raw</th><th>MB/s</th><th>p50 us</th>"
       "<th>p99 us</th><th>p99.9 us</th><th>CPU us/msg</th><th>CPU x raw</th>"
       "<th>peak RSS MiB</th><th>errors</th><th>native</th><th>x native</th>"
       "<th>CPU x native</th><th>max us</th><th>vol cs/msg</th><th>invol cs/msg</th>"
       "<th>offered msg/s</th><th>idle refused</th></tr>\n";
  for (const auto& x : r.rows) {
    t << "<tr><td>" << markupEscape(x.point.protocol) << "</td><td>"
      << markupEscape(x.point.label()) << "</td><td>" << markupEscape(x.server) << "</td>";
    if (!x.failure.empty()) {
      t << "<td colspan=\"20\">failed: " << markupEscape(x.failure) << "</td></tr>\n";
      continue;
    }
    t << "<td>" << fmt("%.0f", x.msgsMedian) << "</td><td>" << fmt("%.0f", x.msgsMin) << "</td><td>"
      << fmt("%.0f", x.msgsMax) << "</td><td>" << fmt("%.2f", x.ratioThroughput) << "</td><td>"
      << fmt("%.1f", x.mbPerSecond) << "</td><td>" << fmt("%.0f", x.p50) << "</td><td>"
      << fmt("%.0f", x.p99) << "</td><td>" << fmt("%.0f", x.p999) << "</td><td>"
      << fmt("%.2f", x.cpuUsPerMsg) << "</td><td>" << fmt("%.2f", x.ratioCpu) << "</td><td>"
      << fmt("%.1f", double(x.peakRssKb) / 1024) << "</td><td>" << x.errors + x.verifyFailures
      << "</td><td>" << markupEscape(x.native.empty() ? "-" : x.native) << "</td><td>"
      << (x.native.empty() ? "-" : fmt("%.2f", x.ratioNativeThroughput)) << "</td><td>"
      << (x.native.empty() ? "-" : fmt("%.2f", x.ratioNativeCpu)) << "</td><td>"
      << fmt("%.0f", x.maxLatency) << "</td><td>"
      << (x.voluntaryCsPerMsg < 0 ? "-" : fmt("%.3f", x.voluntaryCsPerMsg)) << "</td><td>"
      << (x.involuntaryCsPerMsg < 0 ? "-" : fmt("%.3f", x.involuntaryCsPerMsg)) << "</td><td>"
      << (x.offeredRate > 0 ? fmt("%.0f", x.offeredRate) : "-") << "</td><td>"
      << (x.point.idle ? std::to_string(x.idleRefused) : "-") << "</td></tr>\n";
  }
  t << "</table>\n";
  return t.str();
}

}  // namespace

std::string renderHtml(const Report& r) {
  Index ix(r);
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<title>weft bench report</title>\n<style>\n"
       "body{font-family:sans-serif;margin:2em;color:#222}"
       "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px;"
       "text-align:right}th{background:#f4f4f4}figure{margin:1em 0}"
       ".title{font-size:15px;font-weight:bold}.tick{font-size:11px}.axis,.legend{font-size:12px}"
       "svg{max-width:100%;height:auto}"
       ".grids{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}"
       ".grid td{text-align:center;white-space:nowrap;min-width:6.5em}.grid th.pt{text-align:left;"
       "font-weight:normal;white-space:nowrap}.thr{font-weight:bold;font-size:14px}"
       ".cpu-worse{color:#b00000}.cpu-better{color:#006400}.cpu-same{color:#333}"
       ".grid td.failed{background:#333;color:#fff}.grid td.none{color:#999}.bad{color:#b00000}"
       ".verdicts li{margin:.3em 0}.key{font-size:13px;color:#444;max-width:60em}"
       "\n</style>\n</head>\n<body>\n<h1>weft bench report</h1>\n<ul>\n";
  h << "<li>machine: " << markupEscape(r.machine.value("cpu_model", "?")) << ", "
    << r.machine.value("cpus", 0) << " CPUs, " << markupEscape(r.machine.value("kernel", "?"))
    << "</li>\n<li>build: " << markupEscape(r.build.value("compiler", "?")) << ", "
    << markupEscape(r.build.value("build_type", "?")) << " <code>"
    << markupEscape(r.build.value("flags", "")) << "</code>, commit <code>"
    << markupEscape(r.build.value("commit", "?")) << "</code></li>\n<li>method: servers on CPU "
    << r.config.value("server_cpu", -1) << ", load generator on CPU "
    << r.config.value("client_cpu", -1) << ", " << r.config.value("duration_s", 0.0)
    << " s per run, median of " << r.config.value("repeats", 0) << " repeats; ratios against <code>"
    << kBaseline << "</code> in the same run</li>\n";
  h << "<li>command: <code>" << markupEscape(r.config.value("command_line", std::string("?")))
    << "</code></li>\n</ul>\n";
  h << renderSummaryHtml(r) << renderRatioCharts(r) << renderOpenLoopCharts(r)
    << renderIdleCharts(r) << renderScalingCharts(r) << charts(r, ix) << table(r)
    << "</body>\n</html>\n";
  return h.str();
}

}  // namespace weft::harness
