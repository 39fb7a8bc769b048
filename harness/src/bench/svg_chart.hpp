// Grouped bar charts as inline SVG: no scripts, no external assets, so index.html is one
// self-contained file that renders anywhere (and in headless Chromium for the test).
#pragma once

#include <string>
#include <vector>

namespace weft::harness {

struct BarChart {
  std::string id;
  std::string title;
  std::string yLabel;
  std::vector<std::string> groups;          // x axis
  std::vector<std::string> series;          // legend, one colour each
  std::vector<std::vector<double>> values;  // [group][series]; <= 0 = missing
  // Optional min-max whiskers, [group][series] like values (empty = none).
  std::vector<std::vector<double>> lo, hi;
  double refLine = 0;  // a dashed horizontal line at this value (1.0 for ratios); 0 = none
};

std::string renderBarChart(const BarChart& c);

// Lines over categories (offered load, idle connections, connection counts), one per series,
// on a linear or logarithmic y axis. A point in `marked` is drawn hollow with `markNote` in its
// tooltip and in the legend (select beyond FD_SETSIZE).
struct LineChart {
  std::string id;
  std::string title;
  std::string xLabel, yLabel;
  std::vector<std::string> xs;  // categories, evenly spaced
  std::vector<std::string> series;
  std::vector<std::vector<double>> values;  // [series][x]; <= 0 = missing
  std::vector<std::vector<bool>> marked;    // [series][x], optional
  std::string markNote;
  bool logY = false;
};

std::string renderLineChart(const LineChart& c);

// The colour of the legend entry / line of series k (shared by every chart of the report).
const char* seriesColour(size_t k);
// A server's own colour wherever it appears (the palette's k-th for other series).
const char* seriesColour(const std::string& name, size_t k);

}  // namespace weft::harness
