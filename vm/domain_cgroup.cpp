#include "vm/domain_cgroup.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace benchrun::vm {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view machine_suffix = ".libvirt-qemu";

std::optional<std::string> read_small(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::uint64_t> read_u64(const fs::path& path) {
  const auto text = read_small(path);
  if (!text) return std::nullopt;
  std::string_view digits = *text;
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == ' ')) digits.remove_suffix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc{} || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> read_weight(const fs::path& dir, bool cgroup_v1) {
  return read_u64(dir / (cgroup_v1 ? "cpu.shares" : "cpu.weight"));
}

// The domain name in libvirt's machine name: qemu-embed-<hash>-<id>-<name>.libvirt-qemu (the embedded driver),
// qemu-<id>-<name>.libvirt-qemu (the system one); empty for anything else.
std::string machine_name_of(std::string_view entry) {
  const auto take = [&](std::string_view prefix) {
    if (!entry.starts_with(prefix)) return false;
    entry.remove_prefix(prefix.size());
    return true;
  };
  const auto take_until_dash = [&](bool digits_only) {
    const std::size_t dash = entry.find('-');
    if (dash == 0 || dash == std::string_view::npos) return false;
    if (digits_only && entry.substr(0, dash).find_first_not_of("0123456789") != std::string_view::npos) return false;
    entry.remove_prefix(dash + 1);
    return true;
  };
  if (!entry.ends_with(machine_suffix) || !take("qemu-")) return {};
  entry.remove_suffix(machine_suffix.size());
  if (take("embed-") && !take_until_dash(false)) return {};
  if (!take_until_dash(true)) return {};
  return std::string(entry);
}

}  // namespace

std::optional<fs::path> find_domain_cpu_cgroup(const fs::path& cgroup_root, bool cgroup_v1,
                                               const std::string& domain_name) {
  const fs::path partition = (cgroup_v1 ? cgroup_root / "cpu" : cgroup_root) / "machine";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(partition, error)) {
    if (machine_name_of(entry.path().filename().string()) == domain_name && entry.is_directory(error))
      return entry.path();
  }
  return std::nullopt;
}

DomainCpuCgroup read_domain_cpu_cgroup(const fs::path& dir, bool cgroup_v1) {
  DomainCpuCgroup cgroup;
  cgroup.dir = dir;
  cgroup.weight = read_weight(dir, cgroup_v1);
  cgroup.vcpu_weight = read_weight(dir / "vcpu0", cgroup_v1);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("vcpu") || !entry.is_directory(error)) continue;
    std::istringstream tids(read_small(entry.path() / (cgroup_v1 ? "tasks" : "cgroup.threads")).value_or(""));
    pid_t tid = 0;
    while (tids >> tid) cgroup.vcpu_threads.push_back(tid);
  }
  std::sort(cgroup.vcpu_threads.begin(), cgroup.vcpu_threads.end());
  return cgroup;
}

std::optional<std::uint64_t> threads_cpu_ns(const std::vector<pid_t>& threads, const fs::path& proc) {
  std::optional<std::uint64_t> total;
  for (const pid_t tid : threads) {
    const auto text = read_small(proc / std::to_string(tid) / "schedstat");
    if (!text) continue;
    std::uint64_t ran = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), ran);
    if (error != std::errc{}) continue;
    total = total.value_or(0) + ran;
  }
  return total;
}

}  // namespace benchrun::vm
