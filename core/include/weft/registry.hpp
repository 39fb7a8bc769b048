// Choose a reactor by name at run time (Twisted's --reactor). Every backend weft knows is
// listed, built or not, with the reason it is unavailable: that table is --help-reactors.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/reactor.hpp"

namespace weft {

struct ReactorInfo {
  std::string name;
  bool available = false;
  std::string whyUnavailable;  // empty when available
  std::string description;
  std::string features;  // e.g. "O(1), level-triggered, any fd"
};

// Every known backend in priority order, available or not.
const std::vector<ReactorInfo>& reactorTable();
// Names of the backends usable in this build.
std::vector<std::string> availableReactors();
// epoll on Linux, poll elsewhere on POSIX, select on Windows.
std::string defaultReactorName();
// "default" is accepted. Throws Error(Unavailable) naming the available reactors.
std::unique_ptr<Reactor> makeReactor(std::string_view name);

}  // namespace weft
