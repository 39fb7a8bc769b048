// Where weft reports what it cannot hand to a callback (refused accepts, EMFILE, exceptions
// escaping protocol code). Defaults to stderr; tests and applications can redirect it.
#pragma once

#include <functional>
#include <string_view>

namespace weft {

enum class LogLevel { Info, Warning, Error };
using LogSink = std::function<void(LogLevel, std::string_view)>;

void setLogSink(LogSink sink);  // empty = back to stderr
void log(LogLevel level, std::string_view message);

}  // namespace weft
