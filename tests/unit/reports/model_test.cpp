#include "reports/model.hpp"

#include <gtest/gtest.h>

#include "reports/timestamp.hpp"
#include "sys/error.hpp"

namespace benchrun::reports {
namespace {

TEST(ReportModel, KindsRoundTripThroughTheirNames) {
  for (const auto kind : {FailureKind::crash, FailureKind::timeout, FailureKind::oom, FailureKind::error}) {
    EXPECT_EQ(parse_failure_kind(to_string(kind)), kind);
  }
  for (const auto kind : {BackendKind::native, BackendKind::container, BackendKind::oci, BackendKind::vm}) {
    EXPECT_EQ(parse_backend_kind(to_string(kind)), kind);
  }
}

TEST(ReportModel, UnknownKindIsAnErrorNamingIt) {
  try {
    parse_failure_kind("segfault");
    FAIL() << "accepted an unknown failure kind";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("'segfault'"), std::string::npos) << error.what();
  }
  EXPECT_THROW(parse_backend_kind("lxc"), sys::Error);
}

TEST(ReportModel, UnitComesFromTheMetricNameSuffix) {
  EXPECT_EQ(unit_of_metric("time_to_ready_ms"), "ms");
  EXPECT_EQ(unit_of_metric("memory_peak_mib"), "MiB");
  EXPECT_EQ(unit_of_metric("rss_bytes"), "bytes");
  EXPECT_EQ(unit_of_metric("cpu_pct"), "%");
  EXPECT_EQ(unit_of_metric("instances"), "count");
}

TEST(ReportModel, NewReportCarriesTheSchemaVersionAndIsNotComplete) {
  const Report report;
  EXPECT_EQ(report.schema_version, "benchrun.report/1");
  EXPECT_FALSE(report.complete);
}

TEST(Timestamp, IsRfc3339UtcWithMilliseconds) {
  using namespace std::chrono;
  EXPECT_EQ(rfc3339_utc(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  // date -u -d @1700000000 -> Tue Nov 14 22:13:20 UTC 2023
  EXPECT_EQ(rfc3339_utc(system_clock::time_point{milliseconds(1'700'000'000'123)}), "2023-11-14T22:13:20.123Z");
}

}  // namespace
}  // namespace benchrun::reports
