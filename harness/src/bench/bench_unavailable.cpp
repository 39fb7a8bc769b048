// `weft bench` where it is not built (Windows): the load generator is an epoll program and
// the reference servers are POSIX-only, so the command says so in one line and exits 2, the
// contract's code for "not available on this platform".
#include <CLI/CLI.hpp>

#include <iostream>

#include "bench/bench_command.hpp"
#include "cli/commands.hpp"

namespace weft::harness {

namespace {
int unavailable(const char* what) {
  std::cerr << "weft " << what
            << ": not available on this platform (the load generator and the reference servers "
               "are POSIX-only; see harness/README.md)\n";
  return kExitUsage;
}
}  // namespace

// Options are accepted as given, so the one-line error is what the user sees.
void addBenchOptions(CLI::App& app, BenchOptions&) {
  app.allow_extras();
}

void addCompareOptions(CLI::App& app, CompareOptions&) {
  app.allow_extras();
}

int runBench(const BenchOptions&) {
  return unavailable("bench");
}

int runCompare(const CompareOptions&) {
  return unavailable("bench compare");
}

}  // namespace weft::harness
