// `conformance.<name>` where a declared backend was not built: print the registry's reason and
// exit with the code ctest registers as SKIP_RETURN_CODE, so the test shows as "Skipped" (with
// the reason in its output) instead of silently not existing.
#include <cstdio>
#include <string_view>

#include "weft/registry.hpp"

int main(int argc, char** argv) {
  constexpr int kSkip = 77;
  std::string_view name = argc > 1 ? argv[1] : "";
  for (const auto& r : weft::reactorTable()) {
    if (r.name != name) continue;
    if (r.available) {
      std::printf("%s: available (its conformance suite runs as conformance.%s)\n", r.name.c_str(),
                  r.name.c_str());
      return 0;
    }
    std::printf("%s: unavailable: %s\n", r.name.c_str(), r.whyUnavailable.c_str());
    return kSkip;
  }
  std::printf("%.*s: not a known reactor\n", static_cast<int>(name.size()), name.data());
  return 1;
}
