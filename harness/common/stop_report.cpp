#include "common/stop_report.hpp"

#include <fstream>
#include <sstream>

namespace weft::harness {

namespace {
constexpr std::string_view kPrefix = "weft serve: stopping the ";
}

std::string formatStopReport(const StopReport& r, bool bytes) {
  return std::string(kPrefix) + r.reactor + " reactor: " + std::to_string(r.messages) +
         (bytes ? " bytes" : " messages") + " read on " + std::to_string(r.connections) +
         " connections";
}

std::optional<StopReport> findStopReport(std::string_view text) {
  size_t at = text.rfind(kPrefix);
  if (at == std::string_view::npos) return std::nullopt;
  size_t end = text.find('\n', at);
  std::istringstream line(std::string(text.substr(at + kPrefix.size(), end - at - kPrefix.size())));
  StopReport r;
  std::string word, unit, read, on, conns;
  if (!(line >> r.reactor >> word >> r.messages >> unit >> read >> on >> r.connections >> conns) ||
      word != "reactor:" || (unit != "messages" && unit != "bytes") || read != "read" ||
      on != "on" || conns != "connections") {
    return std::nullopt;
  }
  return r;
}

std::optional<StopReport> readStopReport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return findStopReport(ss.str());
}

}  // namespace weft::harness
