// "a,b,,c" -> {"a", "b", "c"}: how every list option of the `weft` command line is read
// (--reactor, --protocol, --size, --reference, ...). Empty items are dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weft::harness {

inline std::vector<std::string> splitCommaList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto item = s.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace weft::harness
