#include "weft/log.hpp"

#include <cstdio>
#include <mutex>

namespace weft {
namespace {
std::mutex gLogMu;
LogSink gSink;
}  // namespace

void setLogSink(LogSink sink) {
  std::lock_guard lock(gLogMu);
  gSink = std::move(sink);
}

void log(LogLevel level, std::string_view message) {
  std::lock_guard lock(gLogMu);
  if (gSink) {
    gSink(level, message);
    return;
  }
  const char* tag = level == LogLevel::Error     ? "error"
                    : level == LogLevel::Warning ? "warning"
                                                 : "info";
  std::fprintf(stderr, "weft %s: %.*s\n", tag, static_cast<int>(message.size()), message.data());
}

}  // namespace weft
