// The vm+container backend's pure parts (Kata's layout: a container of our runtime inside a guest): the
// command the guest's benchinit runs, the size of the guest that holds the container's limits, and the names
// under which the container's guest-clock phases enter a sample. The backend itself is in the vm plugin.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/instance_spec.hpp"

namespace benchrun::harness {

// The guest image's name under the images folder, and the image nested in it (/images/<name>).
inline constexpr std::string_view guest_image_name = "guest";
inline constexpr std::string_view nested_images_dir = "/images";
inline constexpr std::string_view nested_image_name = "default";

// Where the guest image keeps benchrun: /usr/bin/benchrun (where the guest image's build puts it), else
// /usr/local/bin/benchrun, else the running benchrun's own path (`build-image.sh --add PATH` keeps a program's
// host path). Throws Error naming the fix when none exists in `guest_rootfs`, or when the image lacks the nested
// image (/images/default/rootfs/sbin/benchinit).
std::string benchrun_in_guest(const std::filesystem::path& guest_rootfs, const std::filesystem::path& own_executable);

// What the guest's benchinit runs (after `--quiet`, so only the inner container's protocol lines reach the
// console): `benchrun run --backend container --verbose --phases-fd 2 --images-dir /images --image default
// [limits and switches of spec] <workload path> ARGS`. No `--` anywhere: the kernel drops init's arguments from
// a second `--` on. Throws Error when a workload argument starts with '-' (the inner benchrun would parse it).
std::vector<std::string> nested_container_argv(const std::string& benchrun_path, const InstanceSpec& spec);

// The least memory a guest of an image with this initramfs boots in: max(256 MiB, 128 MiB + 3x the initramfs;
// see vm_container.cpp). Short of it the kernel panics while unpacking, before benchinit could say a word, so
// every guest (vm, vm+container, `benchrun run --backend vm`) is sized or refused by this one rule.
std::uint64_t guest_memory_floor_mib(std::uint64_t initramfs_bytes);

struct GuestSize {
  std::uint64_t memory_mib = 0;
  unsigned vcpus = 1;
};
// A guest that holds the container's limits: the memory limit on top of what the guest itself needs (its
// kernel, and 3x the initramfs, see vm_container.cpp), vCPUs for the CPU quota and
// for every CPU the cpuset names (the container's cpuset must exist in the guest).
GuestSize nested_guest_size(const reports::Limits& limits, std::uint64_t initramfs_bytes);

// The highest CPU a cpuset list ("0-2,5") names; throws Error on anything else.
unsigned highest_cpu_of(std::string_view cpuset);

// The container phases `benchrun run --phases-fd` writes, each with its row in reports/metric_table.cpp.
inline constexpr std::array<std::string_view, 5> guest_container_phases{"prepared", "cloned", "cgroup_ready",
                                                                        "mounts_done", "exec"};
// `cloned` -> `guest_container_cloned_ms`: the container's phase in ms since its start, on the guest's clock.
std::string guest_container_metric(std::string_view phase);
// The phases a BENCHRUN PHASES line carries, as sample metrics (those of guest_container_phases).
std::vector<std::pair<std::string, double>> guest_container_metrics(
    const std::vector<std::pair<std::string, double>>& phases);

}  // namespace benchrun::harness
