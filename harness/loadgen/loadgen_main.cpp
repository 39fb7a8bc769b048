// weft-loadgen: drive an echo server on HOST:PORT and print one JSON object with the results.
// Independent of weft's backends so it measures every server, weft's or not, the same way.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <iostream>

#include "common/process.hpp"
#include "load_client.hpp"
#include "load_json.hpp"

int main(int argc, char** argv) {
  using namespace weft::harness;
  CLI::App app{"weft-loadgen: raw-epoll echo load generator (JSON on stdout)"};
  LoadConfig cfg;
  std::string protocol = "echo";
  int cpu = -1;
  int serverPid = 0;
  app.add_option("--host", cfg.host, "server address (numeric IPv4)");
  app.add_option("--port", cfg.port, "server port")->required();
  app.add_option("--protocol", protocol, "echo|lenprefix|line|netstring")
      ->check(CLI::IsMember({"echo", "lenprefix", "line", "netstring"}));
  app.add_option("--size", cfg.size, "payload bytes per message")->check(CLI::Range(1, 1 << 26));
  app.add_option("--connections", cfg.connections, "concurrent connections")
      ->check(CLI::Range(1, 100000));
  app.add_option("--depth", cfg.depth, "messages in flight per connection (1 = ping-pong)")
      ->check(CLI::Range(1, 1 << 16));
  app.add_option("--warmup", cfg.warmupSeconds, "seconds before measuring");
  app.add_option("--duration", cfg.durationSeconds, "seconds measured");
  app.add_option("--cpu", cpu, "pin the load generator to this CPU");
  app.add_option("--server-pid", serverPid, "sample this PID's CPU time and peak RSS");
  CLI11_PARSE(app, argc, argv);

  cfg.wire.wire = *parseWire(protocol);
  cfg.serverPid = serverPid;
  std::signal(SIGPIPE, SIG_IGN);
  raiseFdLimit();
  if (cpu >= 0 && !pinToCpu(cpu)) {
    std::cerr << "weft-loadgen: cannot pin to CPU " << cpu << "\n";
    return 2;
  }
  LoadResult r = runLoad(cfg);
  std::cout << toJson(cfg, r).dump() << std::endl;
  if (!r.error.empty()) {
    std::cerr << "weft-loadgen: " << r.error << "\n";
    return 1;
  }
  return r.verifyFailures > 0 ? 1 : 0;
}
