// The backend registry: every reactor weft knows, in priority order, with its availability in
// this build. The rows come from registry_table.inc, which CMake generates from each backend's
// weft_backend() declaration (backends/CMakeLists.txt).
#include "weft/registry.hpp"

#include <functional>
#include <string>

#include "weft/errors.hpp"
#include "weft/poller_reactor.hpp"

namespace weft {
namespace {

using MakeFn = std::function<std::unique_ptr<Reactor>()>;

// One declared backend; `make` is empty when it was not built, and `why` says why.
struct Entry {
  const char* name;
  const char* description;
  const char* features;
  const char* why;
  MakeFn make;
};

// A readiness backend's reactor: core's PollerReactor over its Poller.
template <auto makePoller>
MakeFn pollerReactor(const char* name) {
  return [name] { return std::make_unique<PollerReactor>(makePoller(), name); };
}

}  // namespace
}  // namespace weft

#include "registry_table.inc"

namespace weft {
namespace {

struct Row {
  ReactorInfo info;
  MakeFn make;
};

const std::vector<Row>& entries() {
  static const std::vector<Row> table = [] {
    std::vector<Row> t;
    for (auto& e : declaredBackends()) {
      bool have = static_cast<bool>(e.make);
      t.push_back(Row{ReactorInfo{e.name, have, have ? "" : e.why, e.description, e.features},
                      std::move(e.make)});
    }
    return t;
  }();
  return table;
}

}  // namespace

const std::vector<ReactorInfo>& reactorTable() {
  static const std::vector<ReactorInfo> infos = [] {
    std::vector<ReactorInfo> v;
    for (const auto& e : entries()) v.push_back(e.info);
    return v;
  }();
  return infos;
}

std::vector<std::string> availableReactors() {
  std::vector<std::string> names;
  for (const auto& e : entries())
    if (e.info.available) names.push_back(e.info.name);
  return names;
}

std::string defaultReactorName() {
#if defined(_WIN32)
  return "select";
#elif defined(__linux__)
  return "epoll";
#else
  return "poll";
#endif
}

std::unique_ptr<Reactor> makeReactor(std::string_view name) {
  std::string wanted(name == "default" ? defaultReactorName() : std::string(name));
  std::string known;
  for (const auto& e : entries()) {
    if (e.info.available) known += (known.empty() ? "" : ", ") + e.info.name;
  }
  for (const auto& e : entries()) {
    if (e.info.name != wanted) continue;
    if (!e.info.available)
      throw Error(ErrorKind::Unavailable, "reactor '" + wanted +
                                              "' is unavailable: " + e.info.whyUnavailable +
                                              " (available: " + known + ")");
    return e.make();
  }
  throw Error(ErrorKind::Unavailable,
              "the specified reactor does not exist: '" + wanted + "' (available: " + known + ")");
}

}  // namespace weft
