// weft-loadgen's per-server record as `weft bench` reads it (harness/loadgen/load_json.hpp
// writes it), and the verdict on a row. A field that is missing is an error, never a 0: a 0
// would sit in the report as if it had been measured.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "bench/bench_model.hpp"

namespace weft::harness {

// "" if `record` has every field a row is made of (numbers where numbers belong) and reports
// no lost connection or mismatched reply; else why not: its own "error", "2 connections lost
// or refused", "load generator record lacks 'latency_us.p99'".
std::string loadgenRecordProblem(const nlohmann::json& record);

// Why the row makes `weft bench` exit 1, or "": the server or the load generator failed, a
// reply did not match what was sent, or connections were lost or refused.
std::string rowProblem(const Row& row);

}  // namespace weft::harness
