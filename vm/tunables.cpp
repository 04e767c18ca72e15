#include "vm/tunables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "sys/error.hpp"

namespace benchrun::vm {
namespace {

// libvirt's bounds (src/conf/domain_validate.c, virDomainDefCputuneValidate).
constexpr std::uint64_t min_period_us = 1'000;
constexpr std::uint64_t max_period_us = 1'000'000;
constexpr std::uint64_t min_quota_us = 1'000;
constexpr std::uint64_t max_quota_us = 17'592'186'044'415ULL;
// QEMU's bound on every throttle value (include/qemu/throttle.h, THROTTLE_VALUE_MAX).
constexpr std::uint64_t max_disk_rate = 1'000'000'000'000'000ULL;
// libvirt's range of <shares> on cgroup v1 (formatdomain.html, CPU tuning); v2 takes 1..10000.
constexpr std::uint64_t min_shares = 2;
constexpr std::uint64_t max_shares = 262'144;

// A CPU list as libvirt takes it: digits, ',' and '-', starting and ending with a digit.
bool valid_cpuset(const std::string& cpuset) {
  if (cpuset.empty() || !std::isdigit(static_cast<unsigned char>(cpuset.front())) ||
      !std::isdigit(static_cast<unsigned char>(cpuset.back())))
    return false;
  return std::all_of(cpuset.begin(), cpuset.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == '-'; });
}

}  // namespace

std::optional<std::uint64_t> vcpu_quota_for(double cpus, unsigned vcpus, std::uint64_t period_us) {
  if (vcpus == 0 || !(cpus > 0) || cpus >= static_cast<double>(vcpus)) return std::nullopt;
  const double per_vcpu = cpus / static_cast<double>(vcpus);
  const auto quota = static_cast<std::uint64_t>(std::llround(per_vcpu * static_cast<double>(period_us)));
  return std::max(quota, min_quota_us);
}

std::string cputune_xml(const DomainTunables& tunables, unsigned vcpus) {
  if (!tunables.vcpu_quota_us && !tunables.cpuset && !tunables.cpu_shares) return {};
  std::string xml = "  <cputune>\n";
  if (tunables.cpu_shares) {
    if (*tunables.cpu_shares < min_shares || *tunables.cpu_shares > max_shares)
      throw sys::Error(fmt::format("domain XML: CPU shares {} are outside {}..{} (cgroup v2 hosts: at most 10000)",
                                   *tunables.cpu_shares, min_shares, max_shares));
    xml += fmt::format("    <shares>{}</shares>\n", *tunables.cpu_shares);
  }
  if (tunables.cpuset) {
    if (!valid_cpuset(*tunables.cpuset))
      throw sys::Error(fmt::format("domain XML: cpuset '{}' is not a CPU list like 0-2,5", *tunables.cpuset));
    for (unsigned vcpu = 0; vcpu < vcpus; ++vcpu)
      xml += fmt::format("    <vcpupin vcpu='{}' cpuset='{}'/>\n", vcpu, *tunables.cpuset);
    xml += fmt::format("    <emulatorpin cpuset='{}'/>\n", *tunables.cpuset);
  }
  if (tunables.vcpu_quota_us) {
    if (tunables.vcpu_period_us < min_period_us || tunables.vcpu_period_us > max_period_us)
      throw sys::Error(fmt::format("domain XML: CPU period {} us is outside {}..{} us", tunables.vcpu_period_us,
                                   min_period_us, max_period_us));
    if (*tunables.vcpu_quota_us < min_quota_us || *tunables.vcpu_quota_us > max_quota_us)
      throw sys::Error(fmt::format("domain XML: CPU quota {} us is outside {}..{} us", *tunables.vcpu_quota_us,
                                   min_quota_us, max_quota_us));
    xml += fmt::format("    <period>{}</period>\n", tunables.vcpu_period_us);
    xml += fmt::format("    <quota>{}</quota>\n", *tunables.vcpu_quota_us);
  }
  xml += "  </cputune>\n";
  return xml;
}

std::string iotune_xml(const DomainTunables& tunables) {
  if (!tunables.has_disk_rate()) return {};
  if (tunables.disk_total_bytes_sec && tunables.disk_read_bytes_sec)
    throw sys::Error("domain XML: a disk's total and read byte rates cannot both be set (libvirt refuses it)");
  std::string elements;
  const auto add = [&](const char* name, const std::optional<std::uint64_t>& rate, const char* what) {
    if (!rate) return;
    if (*rate == 0) throw sys::Error(fmt::format("domain XML: a disk {} of 0 means no limit", what));
    if (*rate > max_disk_rate)
      throw sys::Error(fmt::format("domain XML: a disk {} of {} is over QEMU's {}", what, *rate, max_disk_rate));
    elements += fmt::format("<{0}>{1}</{0}>", name, *rate);
  };
  // libvirt's own order (virDomainDiskDefFormatIotune): bytes before IOPS.
  add("total_bytes_sec", tunables.disk_total_bytes_sec, "byte rate");
  add("read_bytes_sec", tunables.disk_read_bytes_sec, "read byte rate");
  add("read_iops_sec", tunables.disk_read_iops_sec, "read IOPS rate");
  return fmt::format("      <iotune>{}</iotune>\n", elements);
}

}  // namespace benchrun::vm
