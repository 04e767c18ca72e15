// Backends by name: the CLI (--backends, `run --backend`, --help), the suite command and doctor read this
// table. Adding a backend is its adapter under harness/backends/ and one line in registry.cpp.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/backend.hpp"
#include "harness/backends/backend_setup.hpp"
#include "harness/commands/doctor_check.hpp"

namespace benchrun::harness {

struct BackendEntry {
  std::string_view name;
  reports::BackendKind kind;
  std::string_view help;  // one line for --help
  // Sets the backend up; throws Error naming the fix when it cannot be (e.g. libvirt unreachable).
  std::unique_ptr<Backend> (*make)(const BackendSetup& setup);
  // What this host needs for the backend, one doctor line each.
  std::vector<DoctorCheck> (*host_checks)(const BackendSetup& setup);
};

std::span<const BackendEntry> backend_registry();
// What --backends means when not given: every backend but vm+container, which needs image "guest" (a build
// target of its own) and boots a far larger initramfs for each sample.
std::vector<std::string> default_backends();
// nullptr when no backend has that name.
const BackendEntry* find_backend(std::string_view name);

// One backend per name, in that order; throws Error when one cannot be set up, before anything is measured.
std::vector<std::unique_ptr<Backend>> make_backends(const std::vector<std::string>& names, const BackendSetup& setup);

}  // namespace benchrun::harness
