// The emulator wrapper (qemu_wrapper/main.cpp) on the host side: where guests start it from, and the
// moment it exec'd QEMU, read back from the domain's log.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "sys/clock.hpp"

namespace benchrun::vm {

// The wrapper's file name, next to the benchrun executable.
inline constexpr const char* emulator_wrapper_name = "benchrun-qemu-system-x86_64";

// Copies the wrapper to `state_dir/bin/` (0755) unless an identical copy is there, and returns the copy.
// libvirt runs the emulator as the QEMU user, who may not reach a build tree (under /root, say); and
// libvirt probes an emulator's capabilities again whenever its file changes (seconds), so an identical
// copy is left alone.
std::filesystem::path stage_emulator_wrapper(const std::filesystem::path& wrapper,
                                             const std::filesystem::path& state_dir);

// The last stamp the wrapper wrote in the log of domain `name` under an embedded driver's root
// (<root>/log/qemu/<name>.log, where stdio_handler "file" sends QEMU's stderr); nullopt when none.
std::optional<sys::MonotonicNs> read_qemu_exec_stamp(const std::filesystem::path& embed_root, const std::string& name);

}  // namespace benchrun::vm
