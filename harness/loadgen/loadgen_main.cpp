// weft-loadgen: drive echo servers on HOST:PORT... and print one JSON object per server, one per
// line, in the order of --port. Independent of weft's backends so it measures every server,
// weft's or not, the same way. Several servers take turns in --slice long slices.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <iostream>
#include <vector>

#include "common/process.hpp"
#include "common/wire.hpp"
#include "load_client.hpp"
#include "load_json.hpp"

int main(int argc, char** argv) {
  using namespace weft::harness;
  CLI::App app{"weft-loadgen: raw-epoll echo load generator (JSON on stdout)"};
  LoadConfig cfg;
  std::string protocol = "echo";
  int cpu = -1;
  std::vector<uint16_t> ports;
  std::vector<int> serverPids;
  std::vector<double> rates;
  app.add_option("--host", cfg.host, "server address (numeric IPv4)");
  app.add_option("--port", ports, "server ports (comma list: the servers take turns)")
      ->required()
      ->delimiter(',');
  app.add_option("--protocol", protocol, joinedWireNames("|"))->check(CLI::IsMember(wireNames()));
  app.add_option("--size", cfg.size, "payload bytes per message")->check(CLI::Range(1, 1 << 26));
  app.add_option("--connections", cfg.connections, "concurrent connections")
      ->check(CLI::Range(1, 100000));
  app.add_option("--depth", cfg.depth, "messages in flight per connection (1 = ping-pong)")
      ->check(CLI::Range(1, 1 << 16));
  app.add_option("--rate", rates,
                 "open loop: messages/s per server over all its connections, sent on a schedule, "
                 "latency from each message's intended send time (comma list, one per port)")
      ->delimiter(',');
  app.add_option("--idle", cfg.idle, "idle connections per server, opened after the active ones")
      ->check(CLI::Range(0, 1000000));
  app.add_flag("--histogram", cfg.keepHistogram, "add the raw latency histogram to each record");
  app.add_option("--warmup", cfg.warmupSeconds, "seconds before measuring");
  app.add_option("--duration", cfg.durationSeconds, "seconds measured per server");
  app.add_option("--slice", cfg.sliceSeconds, "seconds per turn when several servers alternate")
      ->check(CLI::PositiveNumber);
  app.add_option("--cpu", cpu, "pin the load generator to this CPU");
  app.add_option("--server-pid", serverPids,
                 "sample these PIDs' CPU time and peak RSS (comma list, one per port)")
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);
  if (!serverPids.empty() && serverPids.size() != ports.size()) {
    std::cerr << "weft-loadgen: --server-pid needs one PID per --port\n";
    return 2;
  }
  if (!rates.empty() && rates.size() != ports.size()) {
    std::cerr << "weft-loadgen: --rate needs one rate per --port\n";
    return 2;
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    cfg.targets.push_back(
        {ports[i], serverPids.empty() ? 0 : serverPids[i], rates.empty() ? 0.0 : rates[i]});
  }
  cfg.wire.wire = *parseWire(protocol);
  std::signal(SIGPIPE, SIG_IGN);
  raiseFdLimit();
  if (cpu >= 0 && !pinToCpu(cpu)) {
    std::cerr << "weft-loadgen: cannot pin to CPU " << cpu << "\n";
    return 2;
  }
  auto results = runLoad(cfg);
  int rc = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const LoadResult& r = results[i];
    std::cout << toJson(cfg, cfg.targets[i], r).dump() << "\n";
    const std::string port = "weft-loadgen: port " + std::to_string(ports[i]) + ": ";
    if (!r.error.empty()) std::cerr << port << r.error << "\n";
    if (r.verifyFailures > 0) {
      std::cerr << port << r.verifyFailures << " replies differed from what was sent\n";
    }
    if (r.errors > 0) std::cerr << port << r.errors << " connections lost or refused\n";
    if (!r.error.empty() || r.verifyFailures > 0 || r.errors > 0) rc = 1;
  }
  std::cout << std::flush;
  return rc;
}
