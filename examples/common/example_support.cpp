#include "example_support.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "weft/errors.hpp"
#include "weft/registry.hpp"

namespace weft::examples {

namespace {

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  for (auto n : names)
    if (n == name) return true;
  return false;
}

void printUsage(std::ostream& out, const Spec& spec) {
  out << "usage: " << spec.program << " [--reactor NAME] [--host HOST] [--port N]";
  for (auto v : spec.values) out << " [--" << v << " VALUE]";
  for (auto f : spec.flags) out << " [--" << f << "]";
  out << "\n  " << spec.summary << "\n  --port defaults to " << spec.defaultPort
      << " (0 = ephemeral); reactors here:";
  for (const auto& name : availableReactors()) out << " " << name;
  out << "\n";
}

[[noreturn]] void usageError(const Spec& spec, const std::string& message) {
  std::cerr << spec.program << ": " << message << "\n";
  printUsage(std::cerr, spec);
  std::exit(kExitUsage);
}

}  // namespace

std::string Options::value(std::string_view name, std::string_view fallback) const {
  auto it = values.find(name);
  return it == values.end() ? std::string(fallback) : it->second;
}

uint16_t parsePort(std::string_view program, std::string_view text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port > 65535) {
    std::cerr << program << ": not a port: '" << text << "'\n";
    std::exit(kExitUsage);
  }
  return static_cast<uint16_t>(port);
}

Options parseOptions(int argc, char** argv, const Spec& spec) {
  Options o;
  o.port = spec.defaultPort;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      printUsage(std::cout, spec);
      std::exit(kExitOk);
    }
    if (!arg.starts_with("--")) usageError(spec, "unexpected argument '" + std::string(arg) + "'");
    std::string_view name = arg.substr(2);
    if (contains(spec.flags, name)) {
      o.flags.emplace(name);
      continue;
    }
    bool common = name == "reactor" || name == "host" || name == "port";
    if (!common && !contains(spec.values, name))
      usageError(spec, "unknown option '" + std::string(arg) + "'");
    if (i + 1 >= argc) usageError(spec, "option '" + std::string(arg) + "' needs a value");
    std::string_view value = argv[++i];
    if (name == "reactor") {
      o.reactor = value;
    } else if (name == "host") {
      o.host = value;
    } else if (name == "port") {
      o.port = parsePort(spec.program, value);
    } else {
      o.values[std::string(name)] = value;
    }
  }
  return o;
}

std::unique_ptr<Reactor> openReactor(const Options& options) {
  try {
    return makeReactor(options.reactor);
  } catch (const Error& e) {
    // The registry's message already names the reactors that are available here.
    std::cerr << "cannot use reactor '" << options.reactor << "': " << e.what() << "\n";
    std::exit(kExitUsage);
  }
}

std::shared_ptr<ListeningPort> listenAndAnnounce(Reactor& reactor, const Options& options,
                                                 uint16_t port, Factory& factory) {
  try {
    auto listening = reactor.listenTCP(port, factory, 50, options.host);
    say("listening on " + listening->getHost().toString());
    return listening;
  } catch (const Error& e) {
    std::cerr << "cannot listen on " << options.host << ":" << port << ": " << e.what() << "\n";
    std::exit(kExitFailure);
  }
}

int serveForever(Reactor& reactor) {
  reactor.installSignalHandlers();
  reactor.run();
  return kExitOk;
}

void say(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace weft::examples
