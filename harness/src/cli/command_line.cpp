#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/reactor_choice.hpp"

namespace weft::harness {

namespace {

// CLI11 messages are one line today; a future one with a newline must not break the contract.
std::string oneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

std::optional<int> parseCommandLine(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    // --help, --help-all: CLI11 prints the help; exit 0.
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "weft: " << oneLine(e.what()) << " (see 'weft --help')\n";
    return kExitUsage;
  }
  return std::nullopt;
}

void applyLeadingReactor(const std::string& reactor, const std::vector<ReactorTarget>& targets) {
  for (auto [command, value] : targets) {
    if (!command->parsed()) continue;
    auto* own = command->get_option("--reactor");
    if (own->count() > 0 && *value != reactor) {
      throw UsageError("weft: --reactor given twice: '" + reactor + "' before '" +
                       command->get_name() + "', '" + *value + "' after it");
    }
    *value = reactor;
    return;
  }
  throw UsageError("weft: --reactor before the subcommand needs serve, connect, check or bench");
}

}  // namespace weft::harness
