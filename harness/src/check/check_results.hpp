// Results of `weft check` and their three renderings: the stdout table, JSON and JUnit XML.
#pragma once

#include <string>
#include <vector>

namespace weft::harness {

struct CaseResult {
  std::string serverReactor;
  std::string clientReactor;
  std::string protocol;
  std::string scenario;
  enum class Status { Pass, Fail, NotApplicable } status = Status::NotApplicable;
  std::string detail;
  double seconds = 0;
};

std::string renderTable(const std::vector<CaseResult>& results,
                        const std::vector<std::string>& scenarioIds);
std::string renderJson(const std::vector<CaseResult>& results);
std::string renderJunit(const std::vector<CaseResult>& results);

}  // namespace weft::harness
