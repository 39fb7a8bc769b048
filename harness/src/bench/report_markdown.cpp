// report.md: one table per protocol, every row with its ratio to raw epoll at the same point,
// then each reactor against the server written directly on its library (when measured).
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "bench/bench_model.hpp"

namespace weft::harness {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string ratio(double r) {
  return r > 0 ? fmt("%.2fx", r) : "-";
}

std::string rate(double v) {
  if (v >= 1e6) return fmt("%.2fM", v / 1e6);
  if (v >= 1e3) return fmt("%.1fk", v / 1e3);
  return fmt("%.0f", v);
}

// What the abstraction costs: each reactor beside the native server on the same library, at
// every point where both ran.
std::string nativeSection(const Report& r) {
  std::ostringstream md;
  bool any = false;
  for (const auto& x : r.rows) {
    if (x.native.empty()) continue;
    if (!any) {
      md << "## Reactors against the native server on the same library\n\n"
            "Throughput and server CPU per message of each reactor divided by those of the "
            "server written directly on its library, at the same point in the same run.\n\n"
            "| protocol | point | reactor | native | x native | CPU x native |\n"
            "|---|---|---|---|---:|---:|\n";
      any = true;
    }
    md << "| " << x.point.protocol << " | " << x.point.label() << " | " << x.server << " | "
       << x.native << " | " << ratio(x.ratioNativeThroughput) << " | " << ratio(x.ratioNativeCpu)
       << " |\n";
  }
  if (any) md << "\n";
  return md.str();
}

std::string switches(const Row& x) {
  return x.voluntaryCsPerMsg < 0
             ? "-"
             : fmt("%.3f", x.voluntaryCsPerMsg) + " / " + fmt("%.3f", x.involuntaryCsPerMsg);
}

std::string ms(double us) {
  return us >= 1000 ? fmt("%.1f ms", us / 1000) : fmt("%.0f us", us);
}

// wrk2's table: each server at fixed fractions of its own closed-loop peak, latency measured
// from each message's intended send time.
std::string openLoopSection(const Report& r) {
  std::ostringstream md;
  bool any = false;
  for (const auto& x : r.rows) {
    if (!x.point.loadPercent) continue;
    if (!any) {
      md << "## Open loop: latency at fractions of each server's peak\n\n"
            "Each server is sent a constant rate, a fraction of its own closed-loop peak at "
            "the same connections; latency runs from the time each message was due to be sent "
            "(wrk2's method), so a stall counts for every message it delays.\n\n"
            "| point | server | % of peak | offered msg/s | achieved msg/s | p50 | p99 | p99.9 | "
            "max | CPU us/msg |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
      any = true;
    }
    md << "| " << x.point.protocol << " " << x.point.size << " B, " << x.point.connections
       << " conn | " << x.server << " | " << x.point.loadPercent << "% | ";
    if (!x.failure.empty()) {
      md << "failed: " << x.failure << " ||||||| \n";
      continue;
    }
    md << rate(x.offeredRate) << " | " << rate(x.msgsMedian) << " | " << ms(x.p50) << " | "
       << ms(x.p99) << " | " << ms(x.p999) << " | " << ms(x.maxLatency) << " | "
       << fmt("%.2f", x.cpuUsPerMsg) << " |\n";
  }
  if (any) md << "\n";
  return md.str();
}

// libev's view: the same active load beside more and more idle connections.
std::string idleSection(const Report& r) {
  std::ostringstream md;
  bool any = false;
  for (const auto& x : r.rows) {
    bool idleAxis =
        x.point.idle > 0 || (x.point.depth == 1 && !x.point.loadPercent &&
                             std::any_of(r.rows.begin(), r.rows.end(), [&](const Row& o) {
                               return o.point.idle > 0 && o.point.protocol == x.point.protocol &&
                                      o.point.size == x.point.size &&
                                      o.point.connections == x.point.connections;
                             }));
    if (!idleAxis) continue;
    if (!any) {
      md << "## Cost against idle connections\n\n"
            "The same active connections (ping-pong) beside idle ones that never send: what "
            "watching fds that are not ready costs each reactor. A server that refuses idle "
            "connections (select beyond FD_SETSIZE) is marked.\n\n"
            "| point | server | idle | msg/s | x raw | CPU us/msg | CPU x raw | note |\n"
            "|---|---|---:|---:|---:|---:|---:|---|\n";
      any = true;
    }
    md << "| " << x.point.protocol << " " << x.point.size << " B, " << x.point.connections
       << " active | " << x.server << " | " << x.point.idle << " | ";
    if (!x.failure.empty()) {
      md << "failed: " << x.failure << " |||||\n";
      continue;
    }
    md << rate(x.msgsMedian) << " | " << ratio(x.ratioThroughput) << " | "
       << fmt("%.2f", x.cpuUsPerMsg) << " | " << ratio(x.ratioCpu) << " | "
       << (x.idleRefused > 0 ? "beyond FD_SETSIZE: " + std::to_string(x.idleRefused) + " of " +
                                   std::to_string(x.idleOpened) + " idle refused"
                             : "")
       << " |\n";
  }
  if (any) md << "\n";
  return md.str();
}

}  // namespace

std::string renderMarkdown(const Report& r) {
  std::ostringstream md;
  md << "# weft bench report\n\n";
  md << "- machine: " << r.machine.value("cpu_model", "?") << ", " << r.machine.value("cpus", 0)
     << " CPUs, " << r.machine.value("kernel", "?") << "\n";
  md << "- build: " << r.build.value("compiler", "?") << ", " << r.build.value("build_type", "?")
     << " `" << r.build.value("flags", "") << "`, commit `" << r.build.value("commit", "?") << "`"
     << (r.build.value("dirty", false) ? " (dirty)" : "") << "\n";
  md << "- method: servers pinned to CPU " << r.config.value("server_cpu", -1)
     << ", load generator (raw-epoll client, every echoed byte verified) to CPU "
     << r.config.value("client_cpu", -1) << "; " << r.config.value("warmup_s", 0.0)
     << " s warm-up + " << r.config.value("duration_s", 0.0) << " s measured, median of "
     << r.config.value("repeats", 0) << " repeats (min-max shown)\n";
  md << "- ratios: against `" << kBaseline
     << "` at the same point in the same run (and, in the last table, against the native server "
        "on the reactor's own library); CPU = server CPU time per message (scheduler run time "
        "of every server thread), the fair figure when the load generator is the limit; cs/msg = "
        "the "
        "server's voluntary / involuntary context switches per message (every thread, "
        "/proc/PID/task/*/status)\n";
  md << "- command: `" << r.config.value("command_line", std::string("?")) << "`\n\n";

  std::vector<std::string> protocols;
  std::map<std::string, std::vector<const Row*>> byProtocol;
  for (const auto& row : r.rows) {
    if (row.point.loadPercent || row.point.idle) continue;  // their own sections below
    if (!byProtocol.count(row.point.protocol)) protocols.push_back(row.point.protocol);
    byProtocol[row.point.protocol].push_back(&row);
  }
  for (const auto& p : protocols) {
    md << "## " << p << "\n\n";
    md << "| point | server | msg/s | min-max | x raw | MB/s | p50 us | p99 us | p99.9 us | "
          "CPU us/msg | CPU x raw | CPU util | cs/msg vol / invol | peak RSS MiB | errors |\n";
    md << "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const Row* x : byProtocol[p]) {
      md << "| " << x->point.label() << " | " << x->server << " | ";
      if (!x->failure.empty()) {
        md << "failed: " << x->failure << " ||||||||||||| \n";
        continue;
      }
      md << rate(x->msgsMedian) << " | " << rate(x->msgsMin) << "-" << rate(x->msgsMax) << " | "
         << ratio(x->ratioThroughput) << " | " << fmt("%.1f", x->mbPerSecond) << " | "
         << fmt("%.0f", x->p50) << " | " << fmt("%.0f", x->p99) << " | " << fmt("%.0f", x->p999)
         << " | " << fmt("%.2f", x->cpuUsPerMsg) << " | " << ratio(x->ratioCpu) << " | "
         << fmt("%.0f%%", x->cpuUtil * 100) << " | " << switches(*x) << " | "
         << fmt("%.1f", double(x->peakRssKb) / 1024) << " | " << x->errors + x->verifyFailures
         << " |\n";
    }
    md << "\n";
  }
  md << openLoopSection(r) << idleSection(r) << nativeSection(r);
  return md.str();
}

}  // namespace weft::harness
