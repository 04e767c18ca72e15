// The overhead suite's part of report.html: per workload group one chart of every figure's ratio to native,
// each bar with its bootstrap 95 % interval and, for guests, the accelerator they ran on (TCG is never shown as
// KVM).
#include <fmt/format.h>
#include <algorithm>

#include "reports/html/page.hpp"
#include "reports/html/report_sections.hpp"
#include "reports/html/svg_chart.hpp"
#include "reports/metric_table.hpp"
#include "stats/report_summaries.hpp"

namespace benchrun::reports::html {
namespace {

// The workload's own figures and a tool's, not the launch timings every suite records.
bool is_workload_figure(const std::string& metric) {
  if (metric.starts_with("tool_")) return true;
  return find_metric(known_metrics(), metric) == nullptr;
}

}  // namespace

std::string accelerator_label(const Report& report, const std::string& backend) {
  const auto info = std::find_if(report.backends.begin(), report.backends.end(),
                                 [&](const BackendInfo& candidate) { return candidate.name == backend; });
  if (info == report.backends.end() || info->kind != BackendKind::vm) return {};
  const auto accelerator = info->details.find("accelerator");
  if (accelerator != info->details.end()) {
    if (const auto* text = std::get_if<std::string>(&accelerator->second)) {
      std::string upper = *text;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
      return upper;
    }
  }
  // No detail (an older report): the environment says what guests got.
  if (report.environment.virtualization == "kvm") return "KVM";
  if (report.environment.virtualization == "tcg") return "TCG";
  return "accelerator unknown";
}

std::string overhead_section(const Report& report) {
  std::string out = paragraph(
      "Each bar: a backend's median of a workload figure over native's median of the same figure (1.00x = native). "
      "For figures where higher is better (MB/s, ops/s) a ratio below 1 is a slowdown; for times (ns, ms) a ratio "
      "above 1 is. Whiskers: bootstrap 95 % interval of the ratio. Guests are labelled with their accelerator.",
      "note");
  // The figures themselves: per group, metric and backend the median, its ratio to native with the interval,
  // and the accelerator of guests.
  std::vector<std::vector<std::string>> rows;
  for (const std::string& case_name : case_names(report)) {
    for (const MetricSummary& summary : report.summaries) {
      if (summary.case_name != case_name || !is_workload_figure(summary.metric)) continue;
      const MetricDef* row = find_metric(report.metrics, summary.metric);
      std::string ratio = "baseline";
      if (summary.ratio_to_native) {
        ratio = fmt::format("{:.3f}x", *summary.ratio_to_native);
        if (const auto interval = stats::ratio_to_native_interval(report, summary))
          ratio += fmt::format(" [{:.3f}, {:.3f}]", interval->low, interval->high);
      } else if (report.backends.empty() || summary.backend != "native") {
        ratio = "-";
      }
      const std::string accelerator = accelerator_label(report, summary.backend);
      rows.push_back({case_name, summary.metric, backend_mode_label(summary.backend, summary.start_mode),
                      accelerator.empty() ? "-" : accelerator,
                      fmt::format("{:.4g} {}", summary.summary.median, row == nullptr ? "" : row->unit), ratio});
    }
  }
  if (!rows.empty()) {
    out +=
        html_table({"group", "figure", "backend", "accelerator", "median", "ratio to native [95 % interval]"}, rows, 4);
  }
  bool any = false;
  for (const std::string& case_name : case_names(report)) {
    RatioBars chart{.title = fmt::format("Workload group {}: ratio to native", case_name)};
    for (const MetricSummary& summary : report.summaries) {
      if (summary.case_name != case_name || !summary.ratio_to_native || !is_workload_figure(summary.metric)) continue;
      const MetricDef* row = find_metric(report.metrics, summary.metric);
      const std::string direction = row == nullptr ? "" : row->better == Better::higher ? " ↑" : " ↓";
      const std::string accelerator = accelerator_label(report, summary.backend);
      RatioBar bar{fmt::format("{}{} · {}{}", backend_mode_label(summary.backend, summary.start_mode),
                               accelerator.empty() ? "" : fmt::format(" ({})", accelerator), summary.metric, direction),
                   *summary.ratio_to_native,
                   {},
                   {}};
      if (const auto interval = stats::ratio_to_native_interval(report, summary)) {
        bar.ci_low = interval->low;
        bar.ci_high = interval->high;
      }
      chart.bars.push_back(std::move(bar));
    }
    if (chart.bars.empty()) continue;
    any = true;
    out += figure(ratio_bars(chart), fmt::format("Case {}: ↑ higher is better, ↓ lower is better.", case_name));
  }
  return any ? out : out + paragraph("No workload figure has a native baseline in this report.", "note");
}

}  // namespace benchrun::reports::html
