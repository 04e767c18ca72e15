#include "reports/json.hpp"

#include <fmt/format.h>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "reports/report_v1.hpp"
#include "sys/error.hpp"

// Absent values are null, never left out: every key is always written.
template <typename T>
struct nlohmann::adl_serializer<std::optional<T>> {
  static void to_json(json& out, const std::optional<T>& value) {
    if (value)
      out = *value;
    else
      out = nullptr;
  }
  static void from_json(const json& in, std::optional<T>& value) {
    if (in.is_null())
      value.reset();
    else
      value = in.get<T>();
  }
};

// Backend details and verdict values: a string or a number, as JSON has them.
template <>
struct nlohmann::adl_serializer<std::variant<std::string, double>> {
  static void to_json(json& out, const std::variant<std::string, double>& value) {
    std::visit([&out](const auto& held) { out = held; }, value);
  }
  static void from_json(const json& in, std::variant<std::string, double>& value) {
    if (in.is_string())
      value = in.get<std::string>();
    else if (in.is_number())
      value = in.get<double>();
    else
      throw benchrun::sys::Error(fmt::format("expected a string or a number, got {}", in.type_name()));
  }
};

namespace benchrun::reports {

using nlohmann::json;

namespace {

// A JSON key and the member that holds its value.
template <typename Owner, typename Member>
struct Field {
  const char* key;
  Member Owner::*member;
};
// Spelled out for clang 14 (the fuzz build), which does not deduce an aggregate's template arguments.
template <typename Owner, typename Member>
Field(const char*, Member Owner::*) -> Field<Owner, Member>;

template <typename T>
struct OptionalValue {
  using type = void;
};
template <typename T>
struct OptionalValue<std::optional<T>> {
  using type = T;
};

template <typename T>
constexpr bool is_vector = false;
template <typename T>
constexpr bool is_vector<std::vector<T>> = true;

// nlohmann turns any JSON number into any C++ number with a cast, and a cast of 1e300 to an int is undefined
// behaviour: a whole-number member takes a whole JSON number in its range, nothing else. Arrays are read
// element by element, so an error names the index.
template <typename Member>
void read_value(const json& value, Member& member) {
  if constexpr (std::is_integral_v<Member> && !std::is_same_v<Member, bool>) {
    if (value.is_number_unsigned() && std::in_range<Member>(value.get<std::uint64_t>())) {
      member = static_cast<Member>(value.get<std::uint64_t>());
    } else if (value.is_number_integer() && !value.is_number_unsigned() &&
               std::in_range<Member>(value.get<std::int64_t>())) {
      member = static_cast<Member>(value.get<std::int64_t>());
    } else {
      throw sys::Error(fmt::format("expected a whole number in range, got {}",
                                   value.is_number() ? value.dump() : value.type_name()));
    }
  } else if constexpr (is_vector<Member>) {
    if (!value.is_array()) throw sys::Error(fmt::format("expected an array, got {}", value.type_name()));
    member.clear();
    member.resize(value.size());
    for (std::size_t index = 0; index < value.size(); ++index) {
      try {
        read_value(value[index], member[index]);
      } catch (const json::exception& error) {
        throw sys::Error(fmt::format("[{}]: {}", index, error.what()));
      } catch (sys::Error& error) {
        error.add_context(fmt::format("[{}]", index));
        throw;
      }
    }
  } else if constexpr (!std::is_void_v<typename OptionalValue<Member>::type>) {
    if (value.is_null()) {
      member.reset();
    } else {
      typename OptionalValue<Member>::type held{};
      read_value(value, held);
      member = std::move(held);
    }
  } else {
    value.get_to(member);
  }
}

// Every key of one type, in the one list that its writer and its reader both walk, so a key cannot be
// written and forgotten on the way back. Reading requires every key; an error names the key path.
template <typename Owner, typename... Members>
class FieldList {
 public:
  constexpr explicit FieldList(Field<Owner, Members>... fields) : fields_(fields...) {}

  void write(json& out, const Owner& owner) const {
    out = json::object();
    std::apply([&](const auto&... field) { ((out[field.key] = owner.*field.member), ...); }, fields_);
  }

  void read(const json& in, Owner& owner) const {
    if (!in.is_object()) throw sys::Error(fmt::format("expected an object, got {}", in.type_name()));
    std::apply([&](const auto&... field) { (read_field(in, field.key, owner.*field.member), ...); }, fields_);
  }

 private:
  template <typename Member>
  static void read_field(const json& in, const char* key, Member& member) {
    const auto found = in.find(key);
    if (found == in.end()) throw sys::Error(fmt::format("missing key '{}'", key));
    try {
      read_value(*found, member);
    } catch (const json::exception& error) {
      throw sys::Error(fmt::format("{}: {}", key, error.what()));
    } catch (sys::Error& error) {
      error.add_context(key);
      throw;
    }
  }

  std::tuple<Field<Owner, Members>...> fields_;
};

// The field list of each type that has one (the others have no list: nullptr).
template <typename T>
constexpr std::nullptr_t fields_of = nullptr;

template <>
constexpr FieldList fields_of<Failure>{Field{"kind", &Failure::kind}, Field{"message", &Failure::message}};

template <>
constexpr FieldList fields_of<WorkloadMetric>{
    Field{"name", &WorkloadMetric::name}, Field{"value", &WorkloadMetric::value}, Field{"unit", &WorkloadMetric::unit},
    Field{"better", &WorkloadMetric::better}};

template <>
constexpr FieldList fields_of<WorkloadResult>{
    Field{"exit_code", &WorkloadResult::exit_code}, Field{"signal", &WorkloadResult::signal},
    Field{"wall_ns", &WorkloadResult::wall_ns},     Field{"user_us", &WorkloadResult::user_us},
    Field{"sys_us", &WorkloadResult::sys_us},       Field{"max_rss_kb", &WorkloadResult::max_rss_kb},
    Field{"metrics", &WorkloadResult::metrics}};

// Sample, SummaryStats and Report write more than a field list (a check, a nested object, the version):
// their lists are plain constants and their to_json/from_json are written out below.
constexpr FieldList sample_fields{Field{"backend", &Sample::backend},
                                  Field{"case_name", &Sample::case_name},
                                  Field{"repetition", &Sample::repetition},
                                  Field{"warmup", &Sample::warmup},
                                  Field{"start_mode", &Sample::start_mode},
                                  Field{"ok", &Sample::ok},
                                  Field{"failure", &Sample::failure},
                                  Field{"metrics", &Sample::metrics},
                                  Field{"phases", &Sample::phases},
                                  Field{"workload_result", &Sample::workload_result},
                                  Field{"started_at_monotonic_ns", &Sample::started_at_monotonic_ns}};

template <>
constexpr FieldList fields_of<Limits>{
    Field{"memory_bytes", &Limits::memory_bytes}, Field{"cpus", &Limits::cpus},
    Field{"pids_max", &Limits::pids_max},         Field{"cpuset_cpus", &Limits::cpuset_cpus},
    Field{"cpu_weight", &Limits::cpu_weight},     Field{"io_read_bps", &Limits::io_read_bps},
    Field{"io_read_iops", &Limits::io_read_iops}, Field{"memory_swap_bytes", &Limits::memory_swap_bytes}};

template <>
constexpr FieldList fields_of<Case>{Field{"name", &Case::name}, Field{"workload", &Case::workload},
                                    Field{"workload_args", &Case::workload_args}, Field{"limits", &Case::limits}};

template <>
constexpr FieldList fields_of<RunOptions>{Field{"suite", &RunOptions::suite},
                                          Field{"backends", &RunOptions::backends},
                                          Field{"cases", &RunOptions::cases},
                                          Field{"runs", &RunOptions::runs},
                                          Field{"warmup", &RunOptions::warmup},
                                          Field{"timeout_ms", &RunOptions::timeout_ms},
                                          Field{"start_modes", &RunOptions::start_modes},
                                          Field{"cold_settle_ms", &RunOptions::cold_settle_ms},
                                          Field{"out_dir", &RunOptions::out_dir},
                                          Field{"image", &RunOptions::image},
                                          Field{"libvirt_uri", &RunOptions::libvirt_uri}};

template <>
constexpr FieldList fields_of<ToolVersions>{Field{"libvirt", &ToolVersions::libvirt},
                                            Field{"qemu", &ToolVersions::qemu}, Field{"crun", &ToolVersions::crun},
                                            Field{"runc", &ToolVersions::runc}};

template <>
constexpr FieldList fields_of<Environment>{Field{"hostname", &Environment::hostname},
                                           Field{"kernel", &Environment::kernel},
                                           Field{"os", &Environment::os},
                                           Field{"cpu_model", &Environment::cpu_model},
                                           Field{"cores", &Environment::cores},
                                           Field{"memory_bytes", &Environment::memory_bytes},
                                           Field{"cgroup_version", &Environment::cgroup_version},
                                           Field{"virtualization", &Environment::virtualization},
                                           Field{"virtualization_reason", &Environment::virtualization_reason},
                                           Field{"tools", &Environment::tools},
                                           Field{"benchrun_version", &Environment::benchrun_version},
                                           Field{"git_commit", &Environment::git_commit},
                                           Field{"time", &Environment::time}};

template <>
constexpr FieldList fields_of<BackendInfo>{Field{"name", &BackendInfo::name}, Field{"kind", &BackendInfo::kind},
                                           Field{"details", &BackendInfo::details}, Field{"host", &BackendInfo::host}};

template <>
constexpr FieldList fields_of<HostEnvironment>{Field{"host", &HostEnvironment::host},
                                               Field{"environment", &HostEnvironment::environment}};

template <>
constexpr FieldList fields_of<MetricDef>{Field{"name", &MetricDef::name}, Field{"unit", &MetricDef::unit},
                                         Field{"better", &MetricDef::better},
                                         Field{"description", &MetricDef::description}};

// The median's interval is one nested object: {"level", "low", "high"}.
constexpr FieldList median_ci_fields{Field{"level", &SummaryStats::ci_level}, Field{"low", &SummaryStats::ci_low},
                                     Field{"high", &SummaryStats::ci_high}};

constexpr FieldList summary_stats_fields{Field{"count", &SummaryStats::count},
                                         Field{"min", &SummaryStats::min},
                                         Field{"median", &SummaryStats::median},
                                         Field{"mean", &SummaryStats::mean},
                                         Field{"p90", &SummaryStats::p90},
                                         Field{"p99", &SummaryStats::p99},
                                         Field{"max", &SummaryStats::max},
                                         Field{"stddev", &SummaryStats::stddev},
                                         Field{"mad", &SummaryStats::mad},
                                         Field{"mad_scaled", &SummaryStats::mad_scaled},
                                         Field{"outlier_repetitions", &SummaryStats::outlier_repetitions}};

template <>
constexpr FieldList fields_of<MetricSummary>{Field{"backend", &MetricSummary::backend},
                                             Field{"case_name", &MetricSummary::case_name},
                                             Field{"start_mode", &MetricSummary::start_mode},
                                             Field{"metric", &MetricSummary::metric},
                                             Field{"unit", &MetricSummary::unit},
                                             Field{"summary", &MetricSummary::summary},
                                             Field{"ratio_to_native", &MetricSummary::ratio_to_native}};

template <>
constexpr FieldList fields_of<Verdict>{Field{"check", &Verdict::check},
                                       Field{"backend", &Verdict::backend},
                                       Field{"case_name", &Verdict::case_name},
                                       Field{"configured", &Verdict::configured},
                                       Field{"measured", &Verdict::measured},
                                       Field{"unit", &Verdict::unit},
                                       Field{"tolerance", &Verdict::tolerance},
                                       Field{"pass", &Verdict::pass},
                                       Field{"why", &Verdict::why}};

template <>
constexpr FieldList fields_of<SeriesPoint>{Field{"x", &SeriesPoint::x}, Field{"y", &SeriesPoint::y}};

template <>
constexpr FieldList fields_of<Series>{Field{"name", &Series::name},           Field{"backend", &Series::backend},
                                      Field{"case_name", &Series::case_name}, Field{"x_label", &Series::x_label},
                                      Field{"x_unit", &Series::x_unit},       Field{"y_label", &Series::y_label},
                                      Field{"y_unit", &Series::y_unit},       Field{"points", &Series::points}};

template <typename T>
concept HasFieldList = !std::is_same_v<decltype(fields_of<T>), const std::nullptr_t>;

// schema_version is not a field: it is checked before anything else is read, and always written as
// report_schema_version.
constexpr FieldList report_fields{Field{"run_id", &Report::run_id},
                                  Field{"started_at", &Report::started_at},
                                  Field{"finished_at", &Report::finished_at},
                                  Field{"complete", &Report::complete},
                                  Field{"command_line", &Report::command_line},
                                  Field{"options", &Report::options},
                                  Field{"environment", &Report::environment},
                                  Field{"hosts", &Report::hosts},
                                  Field{"backends", &Report::backends},
                                  Field{"metrics", &Report::metrics},
                                  Field{"samples", &Report::samples},
                                  Field{"summaries", &Report::summaries},
                                  Field{"phase_summaries", &Report::phase_summaries},
                                  Field{"verdicts", &Report::verdicts},
                                  Field{"series", &Report::series},
                                  Field{"errors", &Report::errors},
                                  Field{"warnings", &Report::warnings}};

// The keys v2 gained after its first files were written (model.hpp, "Growing v2"), with the value their
// absence means: a single-host report.
json with_later_v2_keys(json document) {
  if (!document.contains("hosts")) document["hosts"] = json::array();
  if (const auto backends = document.find("backends"); backends != document.end() && backends->is_array()) {
    for (json& backend : *backends) {
      if (backend.is_object() && !backend.contains("host")) backend["host"] = nullptr;
    }
  }
  // Limits.cpu_weight, io_read_bps, io_read_iops and memory_swap_bytes absent: no weight, no I/O throttle, no
  // memory+swap limit.
  if (const auto options = document.find("options"); options != document.end() && options->is_object()) {
    if (const auto cases = options->find("cases"); cases != options->end() && cases->is_array()) {
      for (json& test_case : *cases) {
        if (!test_case.is_object()) continue;
        const auto limits = test_case.find("limits");
        if (limits == test_case.end() || !limits->is_object()) continue;
        for (const char* key : {"cpu_weight", "io_read_bps", "io_read_iops", "memory_swap_bytes"}) {
          if (!limits->contains(key)) (*limits)[key] = nullptr;
        }
      }
    }
  }
  return document;
}

// JSON has no NaN or infinity (nlohmann would write null where the schema wants a number).
void require_finite(const std::map<std::string, double>& numbers, std::string_view what, const Sample& sample) {
  for (const auto& [name, value] : numbers) {
    if (!std::isfinite(value)) {
      throw sys::Error(fmt::format("sample {} #{}: {} '{}' is not a finite number ({})", sample.backend,
                                   sample.repetition, what, name, value));
    }
  }
}

// `upgrade` brings an older form of the document up to date before it is read.
template <typename Parsed>
Parsed parse_json_text(std::string_view text, std::string_view what, void (*upgrade)(json&) = nullptr) {
  try {
    json document = json::parse(text);
    if (upgrade != nullptr) upgrade(document);
    return document.get<Parsed>();
  } catch (const json::exception& error) {
    throw sys::Error(fmt::format("parse {}: {}", what, error.what()));
  } catch (sys::Error& error) {
    error.add_context(fmt::format("parse {}", what));
    throw;
  }
}

}  // namespace

// The nlohmann customization points (found by ADL): enums by name, structs by their field lists.
void to_json(json& out, FailureKind kind) { out = to_string(kind); }
void from_json(const json& in, FailureKind& kind) { kind = parse_failure_kind(in.get<std::string>()); }
void to_json(json& out, BackendKind kind) { out = to_string(kind); }
void from_json(const json& in, BackendKind& kind) { kind = parse_backend_kind(in.get<std::string>()); }
void to_json(json& out, StartMode mode) { out = to_string(mode); }
void from_json(const json& in, StartMode& mode) { mode = parse_start_mode(in.get<std::string>()); }
void to_json(json& out, Better better) { out = to_string(better); }
void from_json(const json& in, Better& better) { better = parse_better(in.get<std::string>()); }

template <HasFieldList T>
void to_json(json& out, const T& value) {
  fields_of<T>.write(out, value);
}

template <HasFieldList T>
void from_json(const json& in, T& value) {
  fields_of<T>.read(in, value);
}

void to_json(json& out, const SummaryStats& value) {
  summary_stats_fields.write(out, value);
  median_ci_fields.write(out["median_ci"], value);
}

void from_json(const json& in, SummaryStats& value) {
  summary_stats_fields.read(in, value);
  sys::with_context("median_ci", [&] { median_ci_fields.read(in.at("median_ci"), value); });
}

void to_json(json& out, const Sample& value) {
  require_finite(value.metrics, "metric", value);
  require_finite(value.phases, "phase", value);
  sample_fields.write(out, value);
}

void from_json(const json& in, Sample& value) { sample_fields.read(in, value); }

void to_json(json& out, const Report& value) {
  report_fields.write(out, value);
  out["schema_version"] = report_schema_version;
}

void from_json(const json& in, Report& value) {
  if (!in.is_object() || !in.contains("schema_version")) {
    throw sys::Error(fmt::format("not a benchrun report (a JSON {} without schema_version)", in.type_name()));
  }
  const std::string version = in.at("schema_version").get<std::string>();
  if (version == report_schema_version_v1) {
    report_fields.read(with_later_v2_keys(upgrade_v1_document(in)), value);
    value.metrics = v1_metric_table(value);
  } else if (version == report_schema_version) {
    report_fields.read(with_later_v2_keys(in), value);
  } else {
    throw UnknownSchemaVersion(
        fmt::format("schema_version is '{}', this benchrun reads '{}' and '{}': use the benchrun that "
                    "wrote it, or a newer one",
                    version, report_schema_version_v1, report_schema_version));
  }
  value.schema_version = version;
}

std::string report_to_json_text(const Report& report) { return json(report).dump(2) + "\n"; }

Report parse_report(std::string_view text) { return parse_json_text<Report>(text, "report"); }

std::string sample_to_json_line(const Sample& sample) { return json(sample).dump(); }

Sample parse_sample(std::string_view text) { return parse_json_text<Sample>(text, "sample"); }

WorkloadResult parse_workload_result(std::string_view text) {
  // The RESULT of a benchinit older than workload metrics (in an image not rebuilt since) has no "metrics".
  return parse_json_text<WorkloadResult>(text, "workload result", [](json& result) {
    if (result.is_object() && !result.contains("metrics")) result["metrics"] = json::array();
  });
}

}  // namespace benchrun::reports
