#include "vm/kvm_probe_cache.hpp"

#include <sys/utsname.h>

#include <nlohmann/json.hpp>

#include "sys/file_io.hpp"

namespace benchrun::vm {
namespace {

using nlohmann::json;

constexpr std::string_view cache_format = "benchrun.kvm-probe/1";

json read_entries(const std::filesystem::path& cache_file) {
  try {
    json cache = json::parse(sys::read_file(cache_file));
    if (cache.value("format", "") == cache_format && cache.contains("entries") && cache["entries"].is_array()) {
      return cache["entries"];
    }
  } catch (const std::exception&) {  // missing or damaged: probe again, and rewrite it
  }
  return json::array();
}

bool matches(const json& entry, const KvmProbeKey& key) {
  return entry.value("kernel", "") == key.kernel && entry.value("qemu", "") == key.qemu &&
         entry.value("libvirt", "") == key.libvirt;
}

std::optional<std::optional<std::string>> recorded_verdict(const json& entries, const KvmProbeKey& key) {
  for (const json& entry : entries) {
    if (!matches(entry, key) || !entry.contains("failure")) continue;
    const json& failure = entry["failure"];
    if (failure.is_null()) return std::optional<std::string>();
    if (failure.is_string()) return std::optional<std::string>(failure.get<std::string>());
  }
  return std::nullopt;
}

void record_verdict(const std::filesystem::path& cache_file, json entries, const KvmProbeKey& key,
                    const std::optional<std::string>& failure) {
  json kept = json::array();
  for (json& entry : entries) {
    if (!matches(entry, key)) kept.push_back(std::move(entry));
  }
  kept.push_back({{"kernel", key.kernel},
                  {"qemu", key.qemu},
                  {"libvirt", key.libvirt},
                  {"failure", failure ? json(*failure) : json(nullptr)}});
  try {
    std::filesystem::create_directories(cache_file.parent_path());
    sys::write_file_atomically(cache_file, json{{"format", cache_format}, {"entries", kept}}.dump(2) + "\n");
  } catch (const std::exception&) {  // not recorded: the next run probes again
  }
}

}  // namespace

std::string host_kernel() {
  utsname names{};
  if (::uname(&names) != 0) return "unknown";
  return std::string(names.release) + " " + names.version;
}

KvmProbe cached_kvm_probe(std::filesystem::path cache_file, KvmProbeKey key, KvmProbe probe) {
  return [cache_file = std::move(cache_file), key = std::move(key), probe = std::move(probe)] {
    json entries = read_entries(cache_file);
    if (auto verdict = recorded_verdict(entries, key)) return *verdict;
    std::optional<std::string> failure = probe();
    record_verdict(cache_file, std::move(entries), key, failure);
    return failure;
  };
}

}  // namespace benchrun::vm
