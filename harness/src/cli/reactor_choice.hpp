// Turning --reactor NAME into a Reactor, with the one-line error the contract requires.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "weft/reactor.hpp"

namespace weft::harness {

// Thrown for anything that must end the process with exit 2 and one line on stderr.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "default" and every available name. Throws UsageError naming --help-reactors.
std::unique_ptr<Reactor> openReactor(std::string_view name);
// Checks without building one (for options validated before forking children).
void requireReactor(std::string_view name);
// "all" or a comma-separated list -> names, each checked with requireReactor.
std::vector<std::string> expandReactorList(std::string_view list);

}  // namespace weft::harness
