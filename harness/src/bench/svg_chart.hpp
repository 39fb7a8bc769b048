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
};

std::string renderBarChart(const BarChart& c);

}  // namespace weft::harness
