// The devices an instance may use, as data, and the two forms the kernel takes them in: v1 devices.allow
// lines, and a v2 BPF_PROG_TYPE_CGROUP_DEVICE program built here instruction by instruction (as crun and runc
// build theirs: no compiler, no library). Everything not allowed is denied: open() fails with EPERM.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace benchrun::runtime {

// One allow rule: "c 1:3 rwm". An empty major or minor is "*", any number.
struct DeviceRule {
  char type = 'a';  // 'c' character, 'b' block, 'a' both
  std::optional<std::uint32_t> major;
  std::optional<std::uint32_t> minor;
  std::string_view access = "rwm";  // any of r (read), w (write), m (mknod)
};

// runc's and the OCI spec's default set: mknod of any node (opening it is what is checked), null, zero, full,
// random, urandom, tty, console, ptmx and the devpts ptys.
std::span<const DeviceRule> default_allowed_devices();

// "c 1:3 rwm", "b *:* m": the line written to a v1 devices.allow.
std::string v1_rule_line(const DeviceRule& rule);

// The v2 program allowing exactly `allowed`: it returns 1 for an access a rule covers, 0 (EPERM) otherwise.
// A prologue of six instructions unpacks bpf_cgroup_dev_ctx into registers; then per rule a check for each
// field the rule fixes (type 1, access 3, major 1, minor 1) and "return 1" (2); then "return 0" (2).
std::vector<bpf_insn> device_filter_program(std::span<const DeviceRule> allowed);

}  // namespace benchrun::runtime
