// The load generator's JSON record, one line per target (parsed back by `weft bench`).
#pragma once

#include <nlohmann/json.hpp>

#include "load_client.hpp"

namespace weft::harness {

inline nlohmann::json toJson(const LoadConfig& cfg, const LoadTarget& t, const LoadResult& r) {
  double us = 1e-3;
  nlohmann::json j = {
      {"port", t.port},
      {"protocol", wireName(cfg.wire.wire)},
      {"size", cfg.size},
      {"connections", cfg.connections},
      {"depth", cfg.depth},
      {"idle", cfg.idle},
      {"rate", t.rate},  // offered messages/s, open loop; 0 = closed loop
      {"seconds", r.seconds},
      {"slice_s", cfg.turnSeconds(cfg.durationSeconds)},
      {"messages", r.messages},
      {"msgs_per_s", r.messagesPerSecond()},
      // Payload bytes echoed per second, one direction.
      {"mb_per_s", r.messagesPerSecond() * double(cfg.size) / 1e6},
      {"latency_us",
       {{"p50", double(r.latency.percentile(0.50)) * us},
        {"p99", double(r.latency.percentile(0.99)) * us},
        {"p999", double(r.latency.percentile(0.999)) * us},
        {"max", double(r.latency.max()) * us},
        {"mean", r.latency.mean() * us}}},
      {"errors", r.errors},
      {"verify_failures", r.verifyFailures},
  };
  if (cfg.idle > 0) {
    j["idle_opened"] = r.idleOpened;
    j["idle_refused"] = r.idleRefused;
  }
  if (r.voluntarySwitches >= 0 && r.messages > 0) {
    j["server_voluntary_cs"] = r.voluntarySwitches;
    j["server_involuntary_cs"] = r.involuntarySwitches;
    j["server_voluntary_cs_per_msg"] = double(r.voluntarySwitches) / double(r.messages);
    j["server_involuntary_cs_per_msg"] = double(r.involuntarySwitches) / double(r.messages);
  }
  if (cfg.keepHistogram) {
    // The raw latency histogram: [bucket midpoint ns, count] for every non-empty bucket.
    nlohmann::json h = nlohmann::json::array();
    for (int b = 0; b < Histogram::kBuckets; ++b) {
      if (uint64_t n = r.latency.bucketCount(b)) h.push_back({Histogram::bucketMid(b), n});
    }
    j["histogram_ns"] = h;
  }
  if (r.serverCpuSeconds >= 0) {
    j["server_cpu_s"] = r.serverCpuSeconds;
    j["server_cpu_us_per_msg"] = r.messages ? r.serverCpuSeconds * 1e6 / double(r.messages) : 0.0;
    j["server_cpu_util"] = r.seconds > 0 ? r.serverCpuSeconds / r.seconds : 0.0;
    j["server_vm_hwm_kb"] = r.serverVmHwmKb;
  }
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

}  // namespace weft::harness
