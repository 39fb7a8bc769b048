#include "bench/svg_chart.hpp"

#include "common/markup.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <utility>

namespace weft::harness {

namespace {

const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                          "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};

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

// A round axis maximum: 1, 2 or 5 times a power of ten.
double niceMax(double v) {
  if (v <= 0) return 1;
  double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

// A server keeps its colour in every chart (a reader matches legends by colour), and each
// reference server is a lighter shade of the reactor built on the same library.
const std::pair<const char*, const char*> kServerColours[] = {
    {"epoll", "#1f77b4"},   {"ref:raw-epoll", "#9ecae9"}, {"poll", "#ff7f0e"},
    {"select", "#2ca02c"},  {"libevent", "#d62728"},      {"ref:libevent", "#f4a6a6"},
    {"asio", "#9467bd"},    {"ref:asio", "#cdb5e6"},      {"qt", "#8c564b"},
    {"ref:qt", "#d2b2a8"},  {"libuv", "#e377c2"},         {"ref:libuv", "#f5c3e6"},
    {"kqueue", "#17becf"},  {"ref:twisted", "#7f7f7f"},   {"iouring", "#bcbd22"},
    {"io_uring", "#bcbd22"}};

}  // namespace

const char* seriesColour(size_t k) {
  return kPalette[k % std::size(kPalette)];
}

const char* seriesColour(const std::string& name, size_t k) {
  for (const auto& [n, c] : kServerColours) {
    if (name == n) return c;
  }
  return seriesColour(k);
}

std::string renderBarChart(const BarChart& c) {
  const double width = 960, height = 380, left = 70, right = 170, top = 36, bottom = 70;
  const double plotW = width - left - right, plotH = height - top - bottom;
  double maxV = c.refLine;
  for (const auto& g : c.values) {
    for (double v : g) maxV = std::max(maxV, v);
  }
  // Whiskers do not set the scale: one wild repeat would flatten every bar. One that runs
  // off the top is cut there and ends in an arrowhead.
  if (c.refLine > 0) maxV = std::max(maxV * 1.25, c.refLine * 1.25);
  double yMax = niceMax(maxV);
  std::ostringstream s;
  s << "<figure class=\"chart\" id=\"" << markupEscape(c.id) << "\">\n<svg class=\"chart-svg\" "
    << "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << width << " " << height
    << "\" width=\"" << width << "\" height=\"" << height << "\" role=\"img\" aria-label=\""
    << markupEscape(c.title) << "\">\n";
  s << "<text x=\"" << width / 2 << "\" y=\"20\" text-anchor=\"middle\" class=\"title\">"
    << markupEscape(c.title) << "</text>\n";
  // Axis, grid and tick labels.
  for (int i = 0; i <= 5; ++i) {
    double v = yMax * i / 5, y = top + plotH - plotH * i / 5;
    s << "<line x1=\"" << left << "\" x2=\"" << left + plotW << "\" y1=\"" << y << "\" y2=\"" << y
      << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << y + 4
      << "\" text-anchor=\"end\" class=\"tick\">" << num(v) << "</text>\n";
  }
  s << "<text transform=\"translate(16," << top + plotH / 2
    << ") rotate(-90)\" text-anchor=\"middle\" class=\"axis\">" << markupEscape(c.yLabel)
    << "</text>\n";
  size_t groups = std::max<size_t>(1, c.groups.size());
  size_t series = std::max<size_t>(1, c.series.size());
  double groupW = plotW / double(groups);
  double barW = groupW * 0.8 / double(series);
  for (size_t g = 0; g < c.groups.size(); ++g) {
    double gx = left + groupW * double(g) + groupW * 0.1;
    for (size_t k = 0; k < c.series.size(); ++k) {
      double v = g < c.values.size() && k < c.values[g].size() ? c.values[g][k] : 0;
      if (v <= 0) continue;
      double h = plotH * v / yMax;
      s << "<rect class=\"bar\" x=\"" << gx + barW * double(k) << "\" y=\"" << top + plotH - h
        << "\" width=\"" << std::max(1.0, barW - 1) << "\" height=\"" << h << "\" fill=\""
        << seriesColour(c.series[k], k) << "\"><title>" << markupEscape(c.series[k]) << ", "
        << markupEscape(c.groups[g]) << ": " << num(v) << "</title></rect>\n";
      if (g < c.lo.size() && k < c.lo[g].size() && g < c.hi.size() && k < c.hi[g].size() &&
          c.hi[g][k] > 0) {
        double x = gx + barW * double(k) + std::max(1.0, barW - 1) / 2;
        bool cut = c.hi[g][k] > yMax;
        double y1 = top + plotH - plotH * std::min(c.lo[g][k], yMax) / yMax;
        double y2 = top + plotH - plotH * std::min(c.hi[g][k], yMax) / yMax;
        s << "<path class=\"whisker\" d=\"M" << x << " " << y1 << "V" << y2 << "M" << x - 3 << " "
          << y1 << "h6M" << x - 3 << " " << y2 << (cut ? "l3 -6l3 6" : "h6")
          << "\" stroke=\"#222\" fill=\"none\"><title>" << markupEscape(c.series[k]) << ", min-max "
          << num(c.lo[g][k]) << "-" << num(c.hi[g][k]) << "</title></path>\n";
      }
    }
    s << "<text x=\"" << gx + groupW * 0.4 << "\" y=\"" << top + plotH + 16
      << "\" text-anchor=\"middle\" class=\"tick\">" << markupEscape(c.groups[g]) << "</text>\n";
  }
  if (c.refLine > 0) {
    double y = top + plotH - plotH * c.refLine / yMax;
    s << "<line class=\"ref\" x1=\"" << left << "\" x2=\"" << left + plotW << "\" y1=\"" << y
      << "\" y2=\"" << y << "\" stroke=\"#000\" stroke-dasharray=\"5 4\"/>\n";
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
  s << "</svg>\n</figure>\n";
  return s.str();
}

}  // namespace weft::harness
