#include "cli/reactor_choice.hpp"

#include "weft/errors.hpp"
#include "weft/registry.hpp"

namespace weft::harness {

namespace {
std::string pointer() {
  return " (see 'weft --help-reactors')";
}
}  // namespace

void requireReactor(std::string_view name) {
  if (name == "default") return;
  for (const auto& info : reactorTable()) {
    if (info.name != name) continue;
    if (info.available) return;
    throw UsageError("weft: reactor '" + std::string(name) +
                     "' is not available here: " + info.whyUnavailable + pointer());
  }
  throw UsageError("weft: unknown reactor '" + std::string(name) + "'" + pointer());
}

std::unique_ptr<Reactor> openReactor(std::string_view name) {
  requireReactor(name);
  try {
    return makeReactor(name);
  } catch (const Error& e) {
    throw UsageError("weft: cannot start reactor '" + std::string(name) + "': " + e.what() +
                     pointer());
  }
}

std::vector<std::string> expandReactorList(std::string_view list) {
  if (list == "all") return availableReactors();
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string name(list.substr(start, comma - start));
    if (!name.empty()) {
      requireReactor(name);
      out.push_back(name == "default" ? defaultReactorName() : name);
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace weft::harness
