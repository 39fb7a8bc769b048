// The chart sections of index.html beyond the raw ones (report_charts.cpp). Each returns ""
// when the report has no rows of its kind.
#pragma once

#include <string>

#include "bench/bench_model.hpp"

namespace weft::harness {

std::string renderRatioCharts(const Report& r);
std::string renderOpenLoopCharts(const Report& r);
std::string renderIdleCharts(const Report& r);
std::string renderScalingCharts(const Report& r);

}  // namespace weft::harness
