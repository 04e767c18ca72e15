#include "reports/verdict_table.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <vector>

namespace benchrun::reports {
namespace {

std::string value_text(const std::optional<VerdictValue>& value, const std::string& unit) {
  if (!value) return "-";
  std::string text = std::holds_alternative<std::string>(*value) ? std::get<std::string>(*value)
                                                                 : fmt::format("{:.4g}", std::get<double>(*value));
  return unit.empty() ? text : fmt::format("{} {}", text, unit);
}

std::string cell(const Verdict& verdict) {
  const std::string seen = value_text(verdict.measured, verdict.unit);
  const std::string promised = value_text(verdict.configured, verdict.unit);
  if (verdict.pass) return fmt::format("pass {}", seen);
  return fmt::format("FAIL {} (promised {})", seen, promised);
}

template <typename Field>
std::vector<std::string> distinct(const std::vector<Verdict>& verdicts, const std::string& case_name, Field field) {
  std::vector<std::string> out;
  for (const Verdict& verdict : verdicts) {
    if (verdict.case_name != case_name) continue;
    if (std::find(out.begin(), out.end(), verdict.*field) == out.end()) out.push_back(verdict.*field);
  }
  return out;
}

}  // namespace

std::string render_verdict_matrix(const Report& report) {
  std::string out;
  std::vector<std::string> cases;
  for (const Verdict& verdict : report.verdicts) {
    if (std::find(cases.begin(), cases.end(), verdict.case_name) == cases.end()) cases.push_back(verdict.case_name);
  }
  for (const std::string& case_name : cases) {
    const auto checks = distinct(report.verdicts, case_name, &Verdict::check);
    const auto backends = distinct(report.verdicts, case_name, &Verdict::backend);
    std::vector<std::vector<std::string>> rows(checks.size() + 1, std::vector<std::string>(backends.size() + 1));
    rows[0][0] = fmt::format("checks, case {}", case_name);
    for (std::size_t column = 0; column < backends.size(); ++column) rows[0][column + 1] = backends[column];
    for (std::size_t row = 0; row < checks.size(); ++row) rows[row + 1][0] = checks[row];
    for (const Verdict& verdict : report.verdicts) {
      if (verdict.case_name != case_name) continue;
      const auto row = std::find(checks.begin(), checks.end(), verdict.check) - checks.begin() + 1;
      const auto column = std::find(backends.begin(), backends.end(), verdict.backend) - backends.begin() + 1;
      rows[row][column] = cell(verdict);
    }
    std::vector<std::size_t> widths(backends.size() + 1, 0);
    for (const auto& row : rows) {
      for (std::size_t column = 0; column < row.size(); ++column)
        widths[column] = std::max(widths[column], row[column].size());
    }
    for (const auto& row : rows) {
      std::string line;
      for (std::size_t column = 0; column < row.size(); ++column) {
        line += fmt::format("{:<{}}", row[column], column + 1 < row.size() ? widths[column] + 2 : 0);
      }
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace benchrun::reports
