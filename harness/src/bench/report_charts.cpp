// index.html's readable charts: ratios with min-max whiskers (every point on one scale, so the
// 1-connection points are as visible as the 64-connection ones), latency against offered load
// (the open loop's "hockey stick"), cost against idle connections, and connection scaling.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "bench/bench_model.hpp"
#include "bench/report_charts.hpp"
#include "bench/svg_chart.hpp"
#include "common/markup.hpp"

namespace weft::harness {

namespace {

template <class T>
void addUnique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

const Row* findRow(const Report& r, const std::string& server, const std::string& key) {
  for (const auto& row : r.rows) {
    if (row.server == server && row.point.key() == key && row.failure.empty()) return &row;
  }
  return nullptr;
}

std::string shortLabel(const Point& p) {
  return std::to_string(p.size) + "B c" + std::to_string(p.connections) + " d" +
         std::to_string(p.depth);
}

// One chart of a ratio per reactor at every closed-loop point of a protocol.
std::string ratioChart(const Report& r, const std::string& proto, bool native, bool cpu) {
  std::vector<std::string> reactors;
  std::vector<Point> points;
  for (const auto& row : r.rows) {
    if (row.point.protocol != proto || row.point.idle || row.point.loadPercent) continue;
    if (row.kind != "reactor" && row.kind != kExternalKind) continue;
    if (native && row.native.empty()) continue;
    addUnique(reactors, row.server);
    if (std::none_of(points.begin(), points.end(),
                     [&](const Point& p) { return p.key() == row.point.key(); })) {
      points.push_back(row.point);
    }
  }
  if (reactors.empty()) return "";
  std::string against = native ? "its native library's server" : "raw epoll";
  BarChart c{
      std::string(cpu ? "cpu" : "throughput") + "-ratio-" + (native ? "native-" : "") + proto,
      std::string(cpu ? "CPU per message" : "Throughput") + " against " + against + ", " + proto +
          " (1.0 = same; whiskers: min-max over repeats)",
      cpu ? "CPU ratio (lower is better)" : "throughput ratio (higher is better)",
      {},
      reactors,
      {},
      {},
      {},
      1.0};
  for (const auto& p : points) {
    c.groups.push_back(shortLabel(p));
    std::vector<double> v, lo, hi;
    for (const auto& s : reactors) {
      const Row* x = findRow(r, s, p.key());
      const Spread* sp = !x ? nullptr
                         : native
                             ? (cpu ? &x->ratioNativeCpuSpread : &x->ratioNativeThroughputSpread)
                             : (cpu ? &x->ratioCpuSpread : &x->ratioThroughputSpread);
      double mid = !x       ? 0
                   : native ? (cpu ? x->ratioNativeCpu : x->ratioNativeThroughput)
                            : (cpu ? x->ratioCpu : x->ratioThroughput);
      v.push_back(mid);
      lo.push_back(sp ? sp->min : 0);
      hi.push_back(sp ? sp->max : 0);
    }
    c.values.push_back(v);
    c.lo.push_back(lo);
    c.hi.push_back(hi);
  }
  return renderBarChart(c);
}

std::vector<std::string> serversOf(const Report& r) {
  std::vector<std::string> s;
  for (const auto& row : r.rows) addUnique(s, row.server);
  return s;
}

}  // namespace

std::string renderRatioCharts(const Report& r) {
  std::vector<std::string> protocols;
  for (const auto& row : r.rows) addUnique(protocols, row.point.protocol);
  std::ostringstream out;
  for (const auto& proto : protocols) {
    out << ratioChart(r, proto, false, false) << ratioChart(r, proto, false, true);
  }
  std::ostringstream native;
  for (const auto& proto : protocols) {
    native << ratioChart(r, proto, true, false) << ratioChart(r, proto, true, true);
  }
  std::string body = out.str(), nat = native.str();
  if (body.empty()) return "";
  return "<h2>Ratios against raw epoll</h2>\n" + body +
         (nat.empty() ? "" : "<h2>Ratios against each reactor's native library</h2>\n" + nat);
}

std::string renderOpenLoopCharts(const Report& r) {
  std::vector<int> levels;
  std::vector<std::string> servers;
  const Row* any = nullptr;
  for (const auto& row : r.rows) {
    if (!row.point.loadPercent) continue;
    addUnique(levels, row.point.loadPercent);
    addUnique(servers, row.server);
    any = &row;
  }
  if (!any) return "";
  std::sort(levels.begin(), levels.end());
  std::ostringstream out;
  out << "<h2>Open loop: latency against offered load</h2>\n<p>Each server at fixed fractions "
         "of its own closed-loop peak ("
      << markupEscape(any->point.protocol) << ", " << any->point.size << " B, "
      << any->point.connections
      << " connections), sent on a schedule; latency from each message's intended send time "
         "(wrk2's method), so stalls are not hidden by the load generator waiting.</p>\n";
  struct Q {
    const char* id;
    const char* name;
    double Row::*field;
  };
  for (Q q : {Q{"p50", "p50", &Row::p50}, Q{"p99", "p99", &Row::p99},
              Q{"p999", "p99.9", &Row::p999}, Q{"max", "max", &Row::maxLatency}}) {
    LineChart c{std::string("openloop-") + q.id,
                std::string("Open loop ") + q.name + " latency against offered load",
                "offered load, % of the server's own peak",
                std::string(q.name) + " latency (microseconds)",
                {},
                servers,
                {},
                {},
                "",
                true};
    for (int l : levels) c.xs.push_back(std::to_string(l) + "%");
    for (const auto& s : servers) {
      std::vector<double> v;
      for (int l : levels) {
        const Row* x = nullptr;
        for (const auto& row : r.rows) {
          if (row.server == s && row.point.loadPercent == l && row.failure.empty()) x = &row;
        }
        v.push_back(x ? x->*q.field : 0);
      }
      c.values.push_back(v);
    }
    out << renderLineChart(c);
  }
  return out.str();
}

std::string renderIdleCharts(const Report& r) {
  // The idle axis: the (protocol, size, connections) of the rows with idle connections, with
  // the same point's idle-free rows at 0.
  std::set<std::string> bases;
  for (const auto& row : r.rows) {
    if (row.point.idle) {
      Point b = row.point;
      b.idle = 0;
      bases.insert(b.key());
    }
  }
  if (bases.empty()) return "";
  std::vector<int> idles;
  std::vector<std::string> servers;
  for (const auto& row : r.rows) {
    Point b = row.point;
    b.idle = 0;
    if (!bases.count(b.key()) || row.point.loadPercent) continue;
    addUnique(idles, row.point.idle);
    addUnique(servers, row.server);
  }
  std::sort(idles.begin(), idles.end());
  std::ostringstream out;
  out << "<h2>Cost against idle connections</h2>\n<p>The same active ping-pong connections "
         "beside more and more idle ones (libev's benchmark): poll's and select's cost grows "
         "with every fd watched, epoll's should not. A hollow point: the server refused some "
         "idle connections (select beyond FD_SETSIZE), so it watched fewer than shown.</p>\n";
  for (const auto& base : bases) {
    for (bool cpu : {true, false}) {
      LineChart c{
          std::string(cpu ? "idle-cpu-" : "idle-throughput-") + std::to_string(idles.size()),
          std::string(cpu ? "Server CPU per message" : "Throughput") +
              " against idle connections, " + base,
          "idle connections",
          cpu ? "CPU us / message" : "messages/s",
          {},
          servers,
          {},
          {},
          "beyond FD_SETSIZE",
          true};  // log: poll at 10,000 idle is 10x the rest, epoll flat
      for (int i : idles) c.xs.push_back(std::to_string(i));
      for (const auto& s : servers) {
        std::vector<double> v;
        std::vector<bool> m;
        for (int i : idles) {
          const Row* x = nullptr;
          for (const auto& row : r.rows) {
            Point b = row.point;
            b.idle = 0;
            if (row.server == s && row.point.idle == i && b.key() == base &&
                !row.point.loadPercent && row.failure.empty()) {
              x = &row;
            }
          }
          v.push_back(x ? (cpu ? x->cpuUsPerMsg : x->msgsMedian) : 0);
          m.push_back(x && x->idleRefused > 0);
        }
        c.values.push_back(v);
        c.marked.push_back(m);
      }
      out << renderLineChart(c);
    }
  }
  return out.str();
}

std::string renderScalingCharts(const Report& r) {
  // Series of closed-loop points that differ only in their connection count.
  std::map<std::string, std::vector<int>> byShape;  // "proto/size/depth" -> connection counts
  for (const auto& row : r.rows) {
    if (row.point.idle || row.point.loadPercent) continue;
    std::string shape = row.point.protocol + " " + std::to_string(row.point.size) + " B, depth " +
                        std::to_string(row.point.depth);
    addUnique(byShape[shape], row.point.connections);
  }
  std::ostringstream out;
  std::vector<std::string> servers = serversOf(r);
  for (auto& [shape, conns] : byShape) {
    if (conns.size() < 3) continue;
    std::sort(conns.begin(), conns.end());
    for (bool cpu : {false, true}) {
      LineChart c{
          "scaling-" + std::string(cpu ? "cpu-" : "throughput-") + std::to_string(out.tellp()),
          std::string(cpu ? "Server CPU per message" : "Throughput") + " against connections, " +
              shape,
          "connections",
          cpu ? "CPU us / message" : "messages/s",
          {},
          servers,
          {},
          {},
          "",
          !cpu};
      for (int n : conns) c.xs.push_back(std::to_string(n));
      for (const auto& s : servers) {
        std::vector<double> v;
        for (int n : conns) {
          const Row* x = nullptr;
          for (const auto& row : r.rows) {
            std::string sh = row.point.protocol + " " + std::to_string(row.point.size) +
                             " B, depth " + std::to_string(row.point.depth);
            if (row.server == s && sh == shape && row.point.connections == n && !row.point.idle &&
                !row.point.loadPercent && row.failure.empty()) {
              x = &row;
            }
          }
          v.push_back(x ? (cpu ? x->cpuUsPerMsg : x->msgsMedian) : 0);
        }
        c.values.push_back(v);
      }
      out << renderLineChart(c);
    }
  }
  std::string body = out.str();
  return body.empty() ? "" : "<h2>Connection scaling</h2>\n" + body;
}

}  // namespace weft::harness
