#include <CLI/CLI.hpp>
#include "bench/bench_command.hpp"
namespace weft::harness {
void addBenchOptions(CLI::App&, BenchOptions&) {}
void addCompareOptions(CLI::App&, CompareOptions&) {}
int runBench(const BenchOptions&) {
  return 1;
}
int runCompare(const CompareOptions&) {
  return 1;
}
}  // namespace weft::harness
