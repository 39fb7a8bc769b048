// The `weft` subcommands and their options (parsed in main.cpp with CLI11). Each returns the
// process exit code. The contract (strings, exit codes) is docs/cli.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft::harness {

// Exit codes shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // a failed check, a refused connection
constexpr int kExitUsage = 2;    // unknown/unavailable reactor, bad arguments

struct ServeOptions {
  std::string reactor = "default";
  std::string protocol = "echo";
  uint16_t port = 0;
  std::string interface = "127.0.0.1";
  long maxLength = -1;  // -1 = the protocol's default
  std::string prefix = "u32le";
  std::string delimiter = "crlf";
  int backlog = 1024;
  std::string fault;  // hidden --fault NAME: a broken server (cli/fault_server.hpp)
  std::string listen;  // an endpoint description; replaces port/interface/backlog
  std::string tlsCert, tlsKey;  // both set: serve over TLS (weft::tls)
};

struct ConnectOptions {
  std::string reactor = "default";
  std::string target;  // HOST:PORT
  std::string endpoint;  // an endpoint description, in place of target
  std::string protocol = "echo";
  std::string prefix = "u32le";
  std::string delimiter = "crlf";
  std::vector<std::string> messages;  // --send; empty = stdin lines
  double timeout = 10;
  bool tls = false;  // connect over TLS, verifying the server (against --ca, else the system)
  std::string ca;
};

int printReactorHelp();
int runServe(const ServeOptions& o);
int runConnect(const ConnectOptions& o);

}  // namespace weft::harness
