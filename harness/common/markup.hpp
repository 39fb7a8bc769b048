// Escaping text for HTML and XML (the bench report page, JUnit files).
#pragma once

#include <string>
#include <string_view>

namespace weft::harness {

// & < > " become entities; everything else is copied.
std::string markupEscape(std::string_view s);

}  // namespace weft::harness
