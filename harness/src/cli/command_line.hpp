// The parts of the command-line contract that sit around CLI11: every usage error is one line
// on stderr and exit 2 (CLI11's own exit codes, 104-113, are not part of the contract), and
// `--reactor` is accepted before the subcommand as well as after it (`weft --reactor epoll
// serve`, as `twistd --reactor=epoll web`).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace weft::harness {

// Parses argv. nullopt: go on. Otherwise the process's exit code: 0 after --help (printed on
// stdout), 2 after a parse error (one line on stderr pointing to --help).
std::optional<int> parseCommandLine(CLI::App& app, int argc, const char* const* argv);

// A subcommand and the variable its own `--reactor` option fills.
using ReactorTarget = std::pair<CLI::App*, std::string*>;

// Applies a `--reactor` given before the subcommand to the subcommand that ran. Throws
// UsageError if the subcommand was also given a different `--reactor`, or takes none.
void applyLeadingReactor(const std::string& reactor, const std::vector<ReactorTarget>& targets);

}  // namespace weft::harness
