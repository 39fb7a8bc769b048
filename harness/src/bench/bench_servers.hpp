// The servers `weft bench` measures: `weft serve` on each reactor, the reference servers of
// bench/reference, and any program given with --server NAME=CMD that honours the serve contract
// (harness/README.md "Any server"). How each is started for a point, and in which words a server
// that breaks the contract is reported.
#pragma once

#include <string>
#include <vector>

namespace weft::harness {

struct ServerSpec {
  std::string name;
  std::string kind;                   // "reactor", "reference" or "external"
  std::vector<std::string> baseArgv;  // reactors, references: --protocol P --port 0 appended
  std::string command;                // external: the CMD of NAME=CMD, run by /bin/sh
};

// The argv that starts `s` for one protocol on an ephemeral port. An external CMD that names
// {protocol} or {port} gets them substituted there; otherwise `--protocol P --port 0` is
// appended, as for every other server.
std::vector<std::string> serverArgv(const ServerSpec& s, const std::string& protocol);

// "NAME=CMD" -> an external ServerSpec; throws UsageError on a malformed spec.
ServerSpec parseExternalServer(const std::string& spec);

std::vector<ServerSpec> referenceServers(const std::string& which);
std::string loadgenPath();
std::string referenceDirPath();

// The one-line reasons a server breaks the serve contract (each names the broken part).
std::string contractNoAnnouncement(double seconds, bool exited, const std::string& status);
std::string contractBadAnnouncement(const std::string& line);
std::string contractBadStop(const std::string& status);

}  // namespace weft::harness
