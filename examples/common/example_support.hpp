// What every example shares: `--reactor NAME` / `--port N` / `--host H` parsing, opening the
// reactor by name, the `listening on HOST:PORT` line tests and scripts wait for, and printing
// that is flushed at once (stdout is a pipe under test, and pipes are block-buffered).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "weft/reactor.hpp"

namespace weft::examples {

// What an example accepts besides the common options.
struct Spec {
  std::string_view program;                // for messages: "echo_server"
  std::string_view summary;                // one line for --help
  uint16_t defaultPort = 8000;             // --port when not given (0 = ephemeral)
  std::vector<std::string_view> values{};  // extra "--name VALUE" options, e.g. "file"
  std::vector<std::string_view> flags{};   // extra "--name" switches, e.g. "fast"
};

struct Options {
  std::string reactor = "default";
  std::string host = "127.0.0.1";  // where servers listen and clients connect
  uint16_t port = 0;
  std::map<std::string, std::string, std::less<>> values;
  std::set<std::string, std::less<>> flags;

  bool flag(std::string_view name) const { return flags.contains(name); }
  std::string value(std::string_view name, std::string_view fallback = {}) const;
};

// Exit codes shared by the examples (and checked by their tests).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // e.g. connection failed, cannot listen
inline constexpr int kExitUsage = 2;    // bad option, unknown reactor

// Parses argv; prints usage and exits (0 for --help, kExitUsage otherwise) on anything else.
Options parseOptions(int argc, char** argv, const Spec& spec);
// Parses a port option value; exits with kExitUsage if it is not 0..65535.
uint16_t parsePort(std::string_view program, std::string_view text);

// The reactor named by --reactor; an unknown or unavailable name exits with kExitUsage
// and a message listing the available ones.
std::unique_ptr<Reactor> openReactor(const Options& options);

// listenTCP on options.host, then prints `listening on HOST:PORT` (flushed). Exits with
// kExitFailure if the port cannot be opened.
std::shared_ptr<ListeningPort> listenAndAnnounce(Reactor& reactor, const Options& options,
                                                 uint16_t port, Factory& factory);

// SIGINT/SIGTERM stop the reactor cleanly; runs it until then. Returns kExitOk.
int serveForever(Reactor& reactor);

// One line on stdout, flushed.
void say(std::string_view line);

}  // namespace weft::examples
