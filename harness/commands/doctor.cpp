// benchrun doctor: one line per capability this host has or lacks, with the fix for what it lacks.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/backends/registry.hpp"
#include "harness/commands/commands.hpp"
#include "harness/commands/doctor_check.hpp"
#include "harness/environment.hpp"
#include "harness/image.hpp"
#include "harness/runner.hpp"

namespace benchrun::harness {
namespace {

using Check = DoctorCheck;

Check check_image(const ImageChoice& image) {
  try {
    require_image(image, "hello");
    const bool vm_parts =
        std::filesystem::exists(image.dir() / "vmlinuz") && std::filesystem::exists(image.dir() / "initramfs.cpio");
    return {"image", vm_parts,
            fmt::format("{} ({}){}", image.dir().string(), fmt::join(image_workloads(image), ", "),
                        vm_parts ? "" : ", without kernel/initramfs"),
            "scripts/build-image.sh"};
  } catch (const std::exception& error) {
    return {"image", false, error.what(), "scripts/build-image.sh"};
  }
}

}  // namespace

DoctorCheck check_tool(const std::string& program, const std::string& package, bool required) {
  const auto version = tool_version(program);
  return {program, version.has_value(), version.value_or("not found"),
          fmt::format("apt-get install {} (scripts/setup.sh)", package), required};
}

// The image, then what each backend of the registry needs (a vm probe boot where /dev/kvm is doubtful, as the
// suite would choose); the peers' tools are their backends' checks.
int run_doctor(const DoctorCommand& options, StopSignal& stop) {
  std::vector<Check> checks{check_image(options.image)};
  const BackendSetup setup{options.image, make_run_id(), options.libvirt_uri, options.accel, stop, {}, {}};
  for (const BackendEntry& backend : backend_registry()) {
    for (Check& check : backend.host_checks(setup)) checks.push_back(std::move(check));
  }

  bool all_required_ok = true;
  for (const auto& check : checks) {
    const char* mark = check.ok ? "ok  " : (check.required ? "FAIL" : "warn");
    fmt::print("{} {:<20} {}\n", mark, check.name, check.detail);
    if (!check.ok) fmt::print("     {:<20} fix: {}\n", "", check.fix);
    if (!check.note.empty()) fmt::print("     {:<20} note: {}\n", "", check.note);
    all_required_ok = all_required_ok && (check.ok || !check.required);
  }
  return all_required_ok ? exit_ok : exit_failure;
}

}  // namespace benchrun::harness
