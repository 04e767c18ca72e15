#include "vm/accelerator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <sstream>

#include "sys/enum_names.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::vm {
namespace {

using Verdict = KvmAssessment::Verdict;

bool module_loaded(const HostPaths& paths, std::string_view module) {
  std::error_code ignored;
  return std::filesystem::exists(paths.sys_module / module, ignored);
}

// The words of the first "flags" line of /proc/cpuinfo (every CPU lists the same flags).
bool cpu_has_flag(const HostPaths& paths, std::string_view flag) {
  std::string cpuinfo;
  try {
    cpuinfo = sys::read_file(paths.cpuinfo);
  } catch (const sys::Error&) {
    return false;
  }
  std::istringstream lines(cpuinfo);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("flags")) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream words(line.substr(colon + 1));
    for (std::string word; words >> word;) {
      if (word == flag) return true;
    }
    return false;
  }
  return false;
}

// The hardware module that would be behind /dev/kvm, with the CPU flag it needs.
struct HardwareKvm {
  std::string_view module;
  std::string_view flag;
};
constexpr HardwareKvm hardware_kvms[] = {{"kvm_intel", "vmx"}, {"kvm_amd", "svm"}};

constexpr sys::EnumNames<AcceleratorRequest, 3> kRequestNames{
    {{AcceleratorRequest::automatic, "auto"}, {AcceleratorRequest::kvm, "kvm"}, {AcceleratorRequest::tcg, "tcg"}}};

}  // namespace

std::string_view to_string(Accelerator accelerator) { return accelerator == Accelerator::kvm ? "kvm" : "tcg"; }

std::string_view to_string(AcceleratorRequest request) { return sys::name_of(kRequestNames, request); }

std::string_view domain_type_of(Accelerator accelerator) { return accelerator == Accelerator::kvm ? "kvm" : "qemu"; }

AcceleratorRequest parse_accelerator_request(std::string_view text) {
  if (const auto request = sys::value_of(kRequestNames, text)) return *request;
  throw sys::Error(fmt::format("unknown accelerator '{}': choose {}", text, sys::names_listed(kRequestNames)));
}

KvmAssessment assess_kvm(const HostPaths& paths) {
  const sys::UniqueFd kvm(::open(paths.dev_kvm.c_str(), O_RDWR | O_CLOEXEC));
  if (!kvm) {
    const int error = errno;
    if (error == ENOENT)
      return {Verdict::cannot_work, fmt::format("no {}: this host offers no KVM", paths.dev_kvm.string())};
    return {Verdict::cannot_work,
            fmt::format("{} cannot be opened: {}", paths.dev_kvm.string(), sys::describe_errno(error))};
  }
  const bool paravirtual = module_loaded(paths, "kvm_pvm");
  for (const auto& hardware : hardware_kvms) {
    if (!module_loaded(paths, hardware.module)) continue;
    if (paravirtual) {
      return {Verdict::unknown, fmt::format("both kvm_pvm and {} are loaded: which one serves {} is unknown",
                                            hardware.module, paths.dev_kvm.string())};
    }
    if (!cpu_has_flag(paths, hardware.flag)) {
      return {Verdict::unknown, fmt::format("{} is loaded but the CPU flags lack {}", hardware.module, hardware.flag)};
    }
    return {Verdict::works, fmt::format("{} with {}: hardware virtualisation", hardware.module, hardware.flag)};
  }
  if (paravirtual) {
    return {Verdict::cannot_work, "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel"};
  }
  return {Verdict::unknown,
          fmt::format("{} opens but neither kvm_intel nor kvm_amd is loaded", paths.dev_kvm.string())};
}

AcceleratorChoice choose_accelerator(AcceleratorRequest request, const KvmAssessment& assessment,
                                     const KvmProbe& probe) {
  if (request == AcceleratorRequest::tcg) return {Accelerator::tcg, "--accel tcg"};
  const auto unavailable = [](const std::string& why) {
    return AcceleratorUnavailable(fmt::format("--accel kvm: {}: use --accel auto or --accel tcg", why));
  };
  switch (assessment.verdict) {
    case Verdict::works:
      return {Accelerator::kvm, assessment.reason};
    case Verdict::cannot_work:
      if (request == AcceleratorRequest::kvm) throw unavailable(assessment.reason);
      return {Accelerator::tcg, assessment.reason};
    case Verdict::unknown:
      break;
  }
  const std::optional<std::string> failure = probe();
  if (!failure) return {Accelerator::kvm, fmt::format("{}; a probe boot under KVM succeeded", assessment.reason)};
  const std::string why = fmt::format("{}; a probe boot under KVM failed: {}", assessment.reason, *failure);
  if (request == AcceleratorRequest::kvm) throw unavailable(why);
  return {Accelerator::tcg, why};
}

}  // namespace benchrun::vm
