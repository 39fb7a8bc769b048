// Line charts as inline SVG (see svg_chart.hpp): categories on x, a log or linear y axis.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "bench/svg_chart.hpp"
#include "common/markup.hpp"

namespace weft::harness {

namespace {

std::string num(double v) {
  char buf[32];
  if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  } else if (v >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  }
  return buf;
}

// The y axis: value -> pixel offset from the bottom, and its tick values.
struct Axis {
  bool log;
  double lo, hi;
  double frac(double v) const {
    if (!log) return (v - lo) / (hi - lo);
    return (std::log10(std::max(v, lo)) - std::log10(lo)) / (std::log10(hi) - std::log10(lo));
  }
  std::vector<double> ticks() const {
    std::vector<double> t;
    if (log) {
      for (double d = lo; d <= hi * 1.001; d *= 10) t.push_back(d);
    } else {
      for (int i = 0; i <= 5; ++i) t.push_back(lo + (hi - lo) * i / 5);
    }
    return t;
  }
};

Axis axisFor(const LineChart& c) {
  double mn = 0, mx = 0;
  bool any = false;
  for (const auto& s : c.values) {
    for (double v : s) {
      if (v <= 0) continue;
      mn = any ? std::min(mn, v) : v;
      mx = any ? std::max(mx, v) : v;
      any = true;
    }
  }
  if (!any) return {false, 0, 1};
  if (c.logY) {
    return {true, std::pow(10.0, std::floor(std::log10(mn))),
            std::pow(10.0, std::ceil(std::log10(mx * 1.0001)))};
  }
  double p = std::pow(10.0, std::floor(std::log10(mx)));
  double top = p;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= mx) {
      top = m * p;
      break;
    }
  }
  return {false, 0, top};
}

}  // namespace

std::string renderLineChart(const LineChart& c) {
  const double width = 960, height = 360, left = 70, right = 190, top = 36, bottom = 56;
  const double plotW = width - left - right, plotH = height - top - bottom;
  Axis axis = axisFor(c);
  std::ostringstream s;
  s << "<figure class=\"chart\" id=\"" << markupEscape(c.id) << "\">\n<svg class=\"chart-svg\" "
    << "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << width << " " << height
    << "\" width=\"" << width << "\" height=\"" << height << "\" role=\"img\" aria-label=\""
    << markupEscape(c.title) << "\">\n";
  s << "<text x=\"" << width / 2 << "\" y=\"20\" text-anchor=\"middle\" class=\"title\">"
    << markupEscape(c.title) << "</text>\n";
  for (double v : axis.ticks()) {
    double y = top + plotH - plotH * axis.frac(v);
    s << "<line x1=\"" << left << "\" x2=\"" << left + plotW << "\" y1=\"" << y << "\" y2=\"" << y
      << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << y + 4
      << "\" text-anchor=\"end\" class=\"tick\">" << num(v) << "</text>\n";
  }
  s << "<text transform=\"translate(16," << top + plotH / 2
    << ") rotate(-90)\" text-anchor=\"middle\" class=\"axis\">" << markupEscape(c.yLabel)
    << (axis.log ? " (log)" : "") << "</text>\n";
  size_t n = std::max<size_t>(1, c.xs.size());
  const auto xAt = [&](size_t i) {
    return n == 1 ? left + plotW / 2 : left + 20 + (plotW - 40) * double(i) / double(n - 1);
  };
  for (size_t i = 0; i < c.xs.size(); ++i) {
    s << "<text x=\"" << xAt(i) << "\" y=\"" << top + plotH + 16
      << "\" text-anchor=\"middle\" class=\"tick\">" << markupEscape(c.xs[i]) << "</text>\n";
  }
  s << "<text x=\"" << left + plotW / 2 << "\" y=\"" << top + plotH + 40
    << "\" text-anchor=\"middle\" class=\"axis\">" << markupEscape(c.xLabel) << "</text>\n";
  bool anyMarked = false;
  for (size_t k = 0; k < c.series.size() && k < c.values.size(); ++k) {
    const char* colour = seriesColour(c.series[k], k);
    std::string path;
    for (size_t i = 0; i < c.xs.size() && i < c.values[k].size(); ++i) {
      double v = c.values[k][i];
      if (v <= 0) continue;
      double x = xAt(i), y = top + plotH - plotH * axis.frac(v);
      path += (path.empty() ? "M" : "L") + std::to_string(x) + " " + std::to_string(y);
      bool mark = k < c.marked.size() && i < c.marked[k].size() && c.marked[k][i];
      anyMarked = anyMarked || mark;
      s << "<circle class=\"pt\" cx=\"" << x << "\" cy=\"" << y << "\" r=\"" << (mark ? 5 : 3.5)
        << "\" fill=\"" << (mark ? "#fff" : colour) << "\" stroke=\"" << colour
        << "\" stroke-width=\"2\"><title>" << markupEscape(c.series[k]) << ", "
        << markupEscape(c.xs[i]) << ": " << num(v) << (mark ? " (" + c.markNote + ")" : "")
        << "</title></circle>\n";
    }
    if (!path.empty()) {
      s << "<path class=\"line\" d=\"" << path << "\" stroke=\"" << colour
        << "\" stroke-width=\"2\" fill=\"none\"/>\n";
    }
  }
  s << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << top + plotH
    << "\" stroke=\"#333\"/>\n<line x1=\"" << left << "\" x2=\"" << left + plotW << "\" y1=\""
    << top + plotH << "\" y2=\"" << top + plotH << "\" stroke=\"#333\"/>\n";
  for (size_t k = 0; k < c.series.size(); ++k) {
    double y = top + 14.0 * double(k);
    s << "<rect x=\"" << left + plotW + 12 << "\" y=\"" << y
      << "\" width=\"10\" height=\"10\" fill=\"" << seriesColour(c.series[k], k) << "\"/><text x=\""
      << left + plotW + 26 << "\" y=\"" << y + 9 << "\" class=\"legend\">"
      << markupEscape(c.series[k]) << "</text>\n";
  }
  if (anyMarked) {
    double y = top + 14.0 * double(c.series.size()) + 8;
    s << "<circle cx=\"" << left + plotW + 17 << "\" cy=\"" << y + 5
      << "\" r=\"5\" fill=\"#fff\" stroke=\"#333\" stroke-width=\"2\"/><text x=\""
      << left + plotW + 26 << "\" y=\"" << y + 9 << "\" class=\"legend\">"
      << markupEscape(c.markNote) << "</text>\n";
  }
  s << "</svg>\n</figure>\n";
  return s.str();
}

}  // namespace weft::harness
