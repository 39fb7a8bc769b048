// weft::SourceLocation: where a Failure was raised or a Deferred callback was added, with
// std::source_location's accessors. std::source_location needs __builtin_source_location,
// which Clang has only from version 15 (Debian 12 ships Clang 14 beside GCC 12); the
// __builtin_FILE / __builtin_LINE / __builtin_FUNCTION trio it stands on works in both.
#pragma once

#include <cstdint>

namespace weft {

class SourceLocation {
 public:
  // As a default argument, the builtins are evaluated at the call site.
  static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                          std::uint_least32_t line = __builtin_LINE(),
                                          const char* function = __builtin_FUNCTION()) noexcept {
    return SourceLocation(file, line, function);
  }
  constexpr SourceLocation() noexcept = default;

  constexpr const char* file_name() const noexcept { return file_; }
  constexpr std::uint_least32_t line() const noexcept { return line_; }
  constexpr const char* function_name() const noexcept { return function_; }

 private:
  constexpr SourceLocation(const char* file, std::uint_least32_t line,
                           const char* function) noexcept
      : file_(file), line_(line), function_(function) {}

  const char* file_ = "";
  std::uint_least32_t line_ = 0;
  const char* function_ = "";
};

}  // namespace weft
