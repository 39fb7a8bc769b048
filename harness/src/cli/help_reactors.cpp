// weft --help-reactors: every backend weft knows, like `twistd --help-reactors`.
#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "weft/registry.hpp"

namespace weft::harness {

int printReactorHelp() {
  const auto& table = reactorTable();
  size_t width = 0;
  for (const auto& r : table) width = std::max(width, r.name.size());
  std::string def = defaultReactorName();
  for (const auto& r : table) {
    std::string state = r.available ? "available" : "unavailable: " + r.whyUnavailable;
    std::string desc = r.description;
    if (!r.features.empty()) desc += " (" + r.features + ")";
    if (r.name == def) desc += " [default]";
    std::printf("%-*s  %s  %s\n", static_cast<int>(width), r.name.c_str(), state.c_str(),
                desc.c_str());
  }
  return kExitOk;
}

}  // namespace weft::harness
