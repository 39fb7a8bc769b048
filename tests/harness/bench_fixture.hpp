// One tiny bench run shared by the report tests (it is the slow part).
#pragma once

#include <string>

namespace weft::harness::testing {

// The directory with report.json/md/html, or "" if the run failed.
const std::string& tinyReportDir();

}  // namespace weft::harness::testing
