#include "check/check_results.hpp"

#include "common/markup.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <sstream>

namespace weft::harness {

namespace {

const char* statusWord(CaseResult::Status s) {
  switch (s) {
    case CaseResult::Status::Pass:
      return "pass";
    case CaseResult::Status::Fail:
      return "FAIL";
    case CaseResult::Status::NotApplicable:
      return "-";
  }
  return "?";
}

}  // namespace

std::string renderTable(const std::vector<CaseResult>& results,
                        const std::vector<std::string>& ids) {
  // One row per (server reactor, client reactor, protocol); one column per scenario.
  std::vector<std::string> rows;
  std::map<std::string, std::map<std::string, const CaseResult*>> cells;
  for (const auto& r : results) {
    std::string key = r.serverReactor + "\t" + r.clientReactor + "\t" + r.protocol;
    if (!cells.count(key)) rows.push_back(key);
    cells[key][r.scenario] = &r;
  }
  std::ostringstream out;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-10s %-10s %-10s", "reactor", "client", "protocol");
  out << buf;
  for (const auto& id : ids) {
    std::snprintf(buf, sizeof buf, " %-9s", id.c_str());
    out << buf;
  }
  out << "\n";
  std::vector<const CaseResult*> failures;
  for (const auto& key : rows) {
    std::istringstream k(key);
    std::string server, client, protocol;
    std::getline(k, server, '\t');
    std::getline(k, client, '\t');
    std::getline(k, protocol, '\t');
    std::snprintf(buf, sizeof buf, "%-10s %-10s %-10s", server.c_str(), client.c_str(),
                  protocol.c_str());
    out << buf;
    for (const auto& id : ids) {
      auto it = cells[key].find(id);
      const char* w = it == cells[key].end() ? "-" : statusWord(it->second->status);
      if (it != cells[key].end() && it->second->status == CaseResult::Status::Fail) {
        failures.push_back(it->second);
      }
      std::snprintf(buf, sizeof buf, " %-9s", w);
      out << buf;
    }
    out << "\n";
  }
  size_t pass = 0, fail = 0;
  for (const auto& r : results) {
    pass += r.status == CaseResult::Status::Pass;
    fail += r.status == CaseResult::Status::Fail;
  }
  out << "\n" << pass << " passed, " << fail << " failed\n";
  for (const auto* f : failures) {
    out << "FAIL " << f->serverReactor << "/" << f->protocol << "/" << f->scenario << " (client "
        << f->clientReactor << "): " << f->detail << "\n";
  }
  return out.str();
}

std::string renderJson(const std::vector<CaseResult>& results) {
  nlohmann::json cases = nlohmann::json::array();
  size_t failed = 0;
  for (const auto& r : results) {
    if (r.status == CaseResult::Status::NotApplicable) continue;
    failed += r.status == CaseResult::Status::Fail;
    cases.push_back({{"reactor", r.serverReactor},
                     {"client_reactor", r.clientReactor},
                     {"protocol", r.protocol},
                     {"scenario", r.scenario},
                     {"status", r.status == CaseResult::Status::Pass ? "pass" : "fail"},
                     {"detail", r.detail},
                     {"seconds", r.seconds}});
  }
  nlohmann::json j = {{"schema", "weft-check/1"},
                      {"passed", cases.size() - failed},
                      {"failed", failed},
                      {"cases", cases}};
  return j.dump(2) + "\n";
}

std::string renderJunit(const std::vector<CaseResult>& results) {
  // One <testsuite> per reactor under test, one <testcase> per run scenario.
  std::map<std::string, std::vector<const CaseResult*>> suites;
  std::vector<std::string> order;
  for (const auto& r : results) {
    if (r.status == CaseResult::Status::NotApplicable) continue;
    if (!suites.count(r.serverReactor)) order.push_back(r.serverReactor);
    suites[r.serverReactor].push_back(&r);
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"weft check\">\n";
  for (const auto& name : order) {
    const auto& cases = suites[name];
    size_t failures = 0;
    double time = 0;
    for (const auto* c : cases) {
      failures += c->status == CaseResult::Status::Fail;
      time += c->seconds;
    }
    out << "  <testsuite name=\"" << markupEscape(name) << "\" tests=\"" << cases.size()
        << "\" failures=\"" << failures << "\" time=\"" << time << "\">\n";
    for (const auto* c : cases) {
      out << "    <testcase classname=\"weft.check." << markupEscape(name) << "."
          << markupEscape(c->protocol) << "\" name=\""
          << markupEscape(c->scenario + " (client " + c->clientReactor + ")") << "\" time=\""
          << c->seconds << "\"";
      if (c->status == CaseResult::Status::Fail) {
        out << ">\n      <failure message=\"" << markupEscape(c->detail)
            << "\"/>\n    </testcase>\n";
      } else {
        out << "/>\n";
      }
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace weft::harness
