#include "vm/libvirt_handles.hpp"

#include <cstdlib>
#include <mutex>
#include <string>

#include <fmt/format.h>

namespace benchrun::vm {
namespace {

void ignore_libvirt_error(void* /*user_data*/, virErrorPtr /*error*/) {}

}  // namespace

sys::Error libvirt_error(std::string_view call) {
  const char* message = virGetLastErrorMessage();
  return sys::Error(fmt::format("libvirt: {}: {}", call, message != nullptr ? message : "unknown error"));
}

void initialize_libvirt(std::string_view log_file) {
  static std::once_flag once;
  std::call_once(once, [&] {
    // libvirt reads its log settings from the environment in virInitialize, and by default prints
    // warnings (e.g. "security driver none disables confinement") and errors on stderr, under our
    // progress output. Level 3 = warnings and errors, kept in a file next to the QEMU logs.
    if (std::getenv("LIBVIRT_LOG_OUTPUTS") == nullptr) {
      const std::string outputs = fmt::format("3:file:{}", log_file);
      ::setenv("LIBVIRT_LOG_OUTPUTS", outputs.c_str(), 0);
    }
    if (virInitialize() < 0) throw libvirt_error("virInitialize");
    virSetErrorFunc(nullptr, ignore_libvirt_error);
  });
}

}  // namespace benchrun::vm
