#include "weft/protocols/framing.hpp"

#include <array>
#include <charconv>

#include "weft/errors.hpp"

namespace weft {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

constexpr std::array kFormats = {PrefixFormat::U8, PrefixFormat::U16BE, PrefixFormat::U16LE,
                                 PrefixFormat::U32BE, PrefixFormat::U32LE};

}  // namespace

std::optional<PrefixFormat> parsePrefixFormat(std::string_view name) {
  for (PrefixFormat f : kFormats) {
    if (equalsIgnoreCase(name, prefixFormatName(f))) return f;
  }
  return std::nullopt;
}

std::string_view prefixFormatName(PrefixFormat format) {
  switch (format) {
    case PrefixFormat::U8:
      return "u8";
    case PrefixFormat::U16BE:
      return "u16be";
    case PrefixFormat::U16LE:
      return "u16le";
    case PrefixFormat::U32BE:
      return "u32be";
    case PrefixFormat::U32LE:
      return "u32le";
  }
  return "?";
}

void throwPrefixOverflow(PrefixFormat format, uint64_t length) {
  throw Error(ErrorKind::InvalidArgument,
              "string of " + std::to_string(length) + " bytes does not fit a " +
                  std::string(prefixFormatName(format)) + " length prefix (maximum " +
                  std::to_string(maxPrefixedLength(format)) + ")");
}

void appendLengthPrefixed(std::string& out, PrefixFormat format, std::string_view payload) {
  char prefix[4];
  encodePrefix(format, payload.size(), prefix);
  out.append(prefix, prefixLength(format));
  out.append(payload);
}

std::string frameLengthPrefixed(PrefixFormat format, std::string_view payload) {
  std::string out;
  out.reserve(prefixLength(format) + payload.size());
  appendLengthPrefixed(out, format, payload);
  return out;
}

void appendNetstring(std::string& out, std::string_view payload) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, payload.size());
  (void)ec;  // 24 digits always suffice for a size_t
  out.append(digits, end);
  out.push_back(':');
  out.append(payload);
  out.push_back(',');
}

std::string frameNetstring(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 24);
  appendNetstring(out, payload);
  return out;
}

void appendLine(std::string& out, std::string_view line, std::string_view delimiter) {
  out.append(line);
  out.append(delimiter);
}

std::string frameLine(std::string_view line, std::string_view delimiter) {
  std::string out;
  out.reserve(line.size() + delimiter.size());
  appendLine(out, line, delimiter);
  return out;
}

}  // namespace weft
