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
  for (const auto mode : {StartMode::cold, StartMode::warm}) EXPECT_EQ(parse_start_mode(to_string(mode)), mode);
  for (const auto better : {Better::lower, Better::higher}) EXPECT_EQ(parse_better(to_string(better)), better);
}

TEST(ReportModel, UnknownKindIsAnErrorNamingIt) {
  try {
    parse_failure_kind("segfault");
    FAIL() << "accepted an unknown failure kind";
  } catch (const sys::Error& error) {
    EXPECT_EQ(std::string(error.what()), "unknown failure kind 'segfault' (expected crash, timeout, oom or error)");
  }
  EXPECT_THROW(parse_backend_kind("lxc"), sys::Error);
  EXPECT_THROW(parse_better("sideways"), sys::Error);
}

TEST(ReportModel, NewReportCarriesTheSchemaVersionAndIsNotComplete) {
  const Report report;
  EXPECT_EQ(report.schema_version, "benchrun.report/2");
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
