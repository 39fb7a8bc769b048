#include "bench/loadgen_record.hpp"

namespace weft::harness {

std::string loadgenRecordProblem(const nlohmann::json& record) {
  if (!record.is_object()) return "load generator record is not a JSON object";
  if (record.contains("error")) {
    const auto& e = record["error"];
    return e.is_string() ? e.get<std::string>() : "load generator failed";
  }
  auto lacks = [&](const char* key) { return !record.contains(key) || !record[key].is_number(); };
  for (const char* key : {"msgs_per_s", "mb_per_s", "errors", "verify_failures"}) {
    if (lacks(key)) return std::string("load generator record lacks '") + key + "'";
  }
  // Said before the fields they may leave out (a server whose connections all died before
  // its measured slices has no CPU figures): these name what went wrong.
  if (auto n = record["verify_failures"].get<double>(); n > 0) {
    return std::to_string(long(n)) + " replies differed from what was sent";
  }
  if (auto n = record["errors"].get<double>(); n > 0) {
    return std::to_string(long(n)) + " connections lost or refused";
  }
  // bench always passes --server-pid, so the server's CPU and memory fields are due too.
  for (const char* key : {"server_cpu_us_per_msg", "server_cpu_util", "server_vm_hwm_kb"}) {
    if (lacks(key)) return std::string("load generator record lacks '") + key + "'";
  }
  const auto latency = record.find("latency_us");
  for (const char* key : {"p50", "p99", "p999", "max"}) {
    if (latency == record.end() || !latency->is_object() || !latency->contains(key) ||
        !(*latency)[key].is_number()) {
      return std::string("load generator record lacks 'latency_us.") + key + "'";
    }
  }
  return "";
}

std::string rowProblem(const Row& row) {
  if (!row.failure.empty()) return row.failure;
  if (row.verifyFailures > 0) {
    return std::to_string(row.verifyFailures) + " replies differed from what was sent";
  }
  if (row.errors > 0) return std::to_string(row.errors) + " connections lost or refused";
  return "";
}

}  // namespace weft::harness
