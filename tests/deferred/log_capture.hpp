// Captures weft::log while alive, so a test can assert what was (or was not) reported.
#pragma once

#include <string>
#include <vector>

#include "weft/log.hpp"

namespace weft::test {

class LogCapture {
 public:
  LogCapture() {
    setLogSink([this](LogLevel, std::string_view m) { lines.emplace_back(m); });
  }
  ~LogCapture() { setLogSink({}); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  bool contains(std::string_view needle) const {
    for (const auto& l : lines)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  std::vector<std::string> lines;
};

}  // namespace weft::test
