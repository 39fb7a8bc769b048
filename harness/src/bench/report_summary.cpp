// The top of index.html, what a reader takes in within a minute: one line of verdict per
// reactor, then a grid point x reactor, each cell the throughput ratio (its colour) and the
// CPU-per-message ratio, against raw epoll and against the reactor's own native library.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "bench/bench_model.hpp"
#include "common/markup.hpp"

namespace weft::harness {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Throughput ratio -> background: red at 0.5x and below, amber at 0.85x, green at 1.0x and up.
std::string cellColour(double ratio) {
  double t = std::clamp((ratio - 0.5) / 0.5, 0.0, 1.0);
  // hue 0 (red) .. 120 (green); light enough for black text.
  return "hsl(" + fmt("%.0f", t * t * 120) + ",70%,82%)";
}

// CPU per message ratio -> text colour: more CPU than the reference is the bad direction.
const char* cpuClass(double ratio) {
  return ratio > 1.10 ? "cpu-worse" : ratio < 0.95 ? "cpu-better" : "cpu-same";
}

struct Summary {
  std::vector<std::string> reactors;  // reactors and --server programs, in report order
  std::vector<Point> points;          // the closed-loop matrix
  std::map<std::string, const Row*> cell;
  explicit Summary(const Report& r) {
    for (const auto& row : r.rows) {
      if (row.point.idle || row.point.loadPercent) continue;
      if (row.kind != "reactor" && row.kind != kExternalKind) continue;
      if (std::find(reactors.begin(), reactors.end(), row.server) == reactors.end()) {
        reactors.push_back(row.server);
      }
      bool seen = std::any_of(points.begin(), points.end(),
                              [&](const Point& p) { return p.key() == row.point.key(); });
      if (!seen) points.push_back(row.point);
      cell[row.server + "|" + row.point.key()] = &row;
    }
  }
  const Row* at(const std::string& server, const Point& p) const {
    auto it = cell.find(server + "|" + p.key());
    return it == cell.end() ? nullptr : it->second;
  }
};

struct Stat {
  double median = 0, min = 0, max = 0;
  size_t n = 0;
};

Stat statOf(std::vector<double> v) {
  Stat s;
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return x <= 0; }), v.end());
  if (v.empty()) return s;
  s.n = v.size();
  s.median = median(v);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

// "on par", "12% slower", "8% faster" for a throughput ratio.
std::string speedWords(double r) {
  if (std::fabs(r - 1) < 0.05) return "on par";
  return fmt("%.0f%% ", std::fabs(r - 1) * 100) + (r < 1 ? "slower" : "faster");
}

std::string verdict(const Summary& s, const std::string& reactor) {
  std::vector<double> thr, cpu, nthr, ncpu;
  std::string native;
  int failed = 0;
  for (const auto& p : s.points) {
    const Row* x = s.at(reactor, p);
    if (!x) continue;
    if (!x->failure.empty()) {
      ++failed;
      continue;
    }
    thr.push_back(x->ratioThroughput);
    cpu.push_back(x->ratioCpu);
    if (!x->native.empty()) {
      native = x->native;
      nthr.push_back(x->ratioNativeThroughput);
      ncpu.push_back(x->ratioNativeCpu);
    }
  }
  Stat t = statOf(thr), c = statOf(cpu), nt = statOf(nthr), nc = statOf(ncpu);
  std::ostringstream v;
  v << "<li><b>" << markupEscape(reactor) << "</b>: ";
  if (t.n == 0) {
    v << "no measured point" << (failed ? fmt(" (%.0f failed)", failed) : "") << "</li>\n";
    return v.str();
  }
  v << speedWords(t.median) << " against raw epoll (throughput " << fmt("%.2fx", t.median) << ", "
    << fmt("%.2f", t.min) << "-" << fmt("%.2f", t.max) << " over " << t.n
    << " points), CPU per message " << fmt("%.2fx", c.median);
  if (nt.n) {
    v << "; against native " << markupEscape(native.substr(native.find(':') + 1)) << " "
      << speedWords(nt.median) << " (" << fmt("%.2fx", nt.median) << ", " << fmt("%.2f", nt.min)
      << "-" << fmt("%.2f", nt.max) << "), CPU " << fmt("%.2fx", nc.median);
  }
  if (failed) v << "; <span class=\"bad\">" << failed << " point(s) failed</span>";
  v << "</li>\n";
  return v.str();
}

std::string grid(const Summary& s, bool vsNative) {
  std::vector<std::string> cols;
  for (const auto& r : s.reactors) {
    bool has = !vsNative;
    for (const auto& p : s.points) {
      const Row* x = s.at(r, p);
      has = has || (x && !x->native.empty());
    }
    if (has) cols.push_back(r);
  }
  if (cols.empty()) return "";
  std::ostringstream g;
  g << "<table class=\"grid\">\n<tr><th>point</th>";
  for (const auto& c : cols) {
    const std::string& head = c;
    g << "<th>" << markupEscape(head) << "</th>";
  }
  g << "</tr>\n";
  for (const auto& p : s.points) {
    g << "<tr><th class=\"pt\">" << markupEscape(p.protocol + " " + p.label()) << "</th>";
    for (const auto& c : cols) {
      const Row* x = s.at(c, p);
      if (!x) {
        g << "<td class=\"none\">-</td>";
      } else if (!x->failure.empty()) {
        g << "<td class=\"failed\" title=\"" << markupEscape(x->failure) << "\">failed</td>";
      } else {
        double thr = vsNative ? x->ratioNativeThroughput : x->ratioThroughput;
        double cpu = vsNative ? x->ratioNativeCpu : x->ratioCpu;
        if (thr <= 0) {
          g << "<td class=\"none\">-</td>";
          continue;
        }
        g << "<td style=\"background:" << cellColour(thr) << "\"><span class=\"thr\">"
          << fmt("%.2f", thr) << "</span> <span class=\"" << cpuClass(cpu) << "\">cpu "
          << fmt("%.2f", cpu) << "</span></td>";
      }
    }
    g << "</tr>\n";
  }
  g << "</table>\n";
  return g.str();
}

}  // namespace

std::string renderSummaryHtml(const Report& r) {
  Summary s(r);
  if (s.reactors.empty()) return "";
  std::ostringstream h;
  h << "<section id=\"summary\">\n<h2>Summary</h2>\n<ul class=\"verdicts\">\n";
  for (const auto& reactor : s.reactors) h << verdict(s, reactor);
  h << "</ul>\n<p class=\"key\">Each cell: throughput ratio (bold; the colour, red 0.5x - "
       "amber 0.85x - green 1.0x and up) and server CPU per message ratio (<span "
       "class=\"cpu-worse\">red</span> above 1.10x, <span class=\"cpu-better\">green</span> "
       "below 0.95x), medians of per-repeat ratios measured in the same seconds.</p>\n";
  h << "<div class=\"grids\"><div><h3>Against raw epoll (<code>" << kBaseline << "</code>)</h3>\n"
    << grid(s, false) << "</div>\n";
  std::string native = grid(s, true);
  if (!native.empty()) {
    h << "<div><h3>Against the server written on the reactor's own library</h3>\n"
      << native << "</div>\n";
  }
  h << "</div>\n</section>\n";
  return h.str();
}

}  // namespace weft::harness
