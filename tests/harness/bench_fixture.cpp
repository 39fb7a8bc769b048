#include "bench_fixture.hpp"

#include <filesystem>
#include <iostream>

#include "test_support.hpp"

namespace weft::harness::testing {

const std::string& tinyReportDir() {
  static const TempDir root;
  static const std::string dir = [] {
    std::string d = root.path() + "/report";
    auto r =
        runWeft({"bench",     "--reactor",  "epoll", "--reference",   "raw-epoll", "--protocol",
                 "lenprefix", "--size",     "64",    "--connections", "2",         "--depth",
                 "1,4",       "--duration", "0.2",   "--warmup",      "0.1",       "--repeats",
                 "3",         "--report",   d},
                600);
    if (r.exitCode() != 0 || !std::filesystem::exists(d + "/report.json")) {
      std::cerr << "tiny bench failed: " << r.out << r.err << "\n";
      return std::string();
    }
    return d;
  }();
  return dir;
}

}  // namespace weft::harness::testing
