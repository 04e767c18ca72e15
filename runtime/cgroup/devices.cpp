#include "runtime/cgroup/devices.hpp"

#include <fmt/format.h>

#include <array>

namespace benchrun::runtime {
namespace {

// Mirrors runc's default rules (libcontainer/specconv AllowedDevices) and the OCI runtime spec's default
// devices. The console rule matters only where a console node is present (ours has none).
constexpr std::array<DeviceRule, 11> default_rules = {{
    {'c', std::nullopt, std::nullopt, "m"},  // mknod of anything: opening the node is what is checked
    {'b', std::nullopt, std::nullopt, "m"},
    {'c', 1, 3, "rwm"},              // null
    {'c', 1, 5, "rwm"},              // zero
    {'c', 1, 7, "rwm"},              // full
    {'c', 1, 8, "rwm"},              // random
    {'c', 1, 9, "rwm"},              // urandom
    {'c', 5, 0, "rwm"},              // tty
    {'c', 5, 1, "rwm"},              // console
    {'c', 5, 2, "rwm"},              // ptmx
    {'c', 136, std::nullopt, "rwm"}  // /dev/pts/*
}};

std::string number_or_star(const std::optional<std::uint32_t>& number) {
  return number ? std::to_string(*number) : std::string("*");
}

std::uint32_t access_mask(std::string_view access) {
  std::uint32_t mask = 0;
  for (const char letter : access) {
    if (letter == 'r') mask |= BPF_DEVCG_ACC_READ;
    if (letter == 'w') mask |= BPF_DEVCG_ACC_WRITE;
    if (letter == 'm') mask |= BPF_DEVCG_ACC_MKNOD;
  }
  return mask;
}

constexpr std::uint32_t every_access = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

// The few instruction forms the program needs (the kernel's BPF_* macros live in its own headers only).
constexpr bpf_insn load_u32(std::uint8_t dst, std::uint8_t src, std::int16_t offset) {
  return {BPF_LDX | BPF_W | BPF_MEM, dst, src, offset, 0};
}
constexpr bpf_insn alu32_imm(std::uint8_t op, std::uint8_t dst, std::int32_t imm) {
  return {static_cast<std::uint8_t>(BPF_ALU | op | BPF_K), dst, 0, 0, imm};
}
constexpr bpf_insn mov32_reg(std::uint8_t dst, std::uint8_t src) { return {BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0}; }
constexpr bpf_insn jne_imm(std::uint8_t dst, std::int32_t imm) { return {BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm}; }
constexpr bpf_insn jne_reg(std::uint8_t dst, std::uint8_t src) { return {BPF_JMP | BPF_JNE | BPF_X, dst, src, 0, 0}; }
constexpr bpf_insn return_value(std::int32_t value) { return {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value}; }
constexpr bpf_insn exit_program() { return {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}; }

// Registers after the prologue: r2 the device type, r3 the access asked, r4 the major, r5 the minor.
constexpr std::uint8_t type_reg = BPF_REG_2;
constexpr std::uint8_t access_reg = BPF_REG_3;
constexpr std::uint8_t major_reg = BPF_REG_4;
constexpr std::uint8_t minor_reg = BPF_REG_5;
constexpr std::uint8_t scratch_reg = BPF_REG_1;  // the context pointer is not needed after the prologue

}  // namespace

std::span<const DeviceRule> default_allowed_devices() { return default_rules; }

std::string v1_rule_line(const DeviceRule& rule) {
  return fmt::format("{} {}:{} {}", rule.type, number_or_star(rule.major), number_or_star(rule.minor), rule.access);
}

std::vector<bpf_insn> device_filter_program(std::span<const DeviceRule> allowed) {
  // struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }
  std::vector<bpf_insn> program = {
      load_u32(type_reg, BPF_REG_1, 0),   alu32_imm(BPF_AND, type_reg, 0xffff), load_u32(access_reg, BPF_REG_1, 0),
      alu32_imm(BPF_RSH, access_reg, 16), load_u32(major_reg, BPF_REG_1, 4),    load_u32(minor_reg, BPF_REG_1, 8),
  };
  for (const DeviceRule& rule : allowed) {
    // Each check jumps past the rule's "return 1" when the access does not match; offsets are filled in
    // once the rule's length is known.
    const std::size_t first = program.size();
    if (rule.type != 'a')
      program.push_back(jne_imm(type_reg, rule.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    const std::uint32_t mask = access_mask(rule.access);
    if (mask != every_access) {  // the access asked must lie within the rule's: (asked & mask) == asked
      program.push_back(mov32_reg(scratch_reg, access_reg));
      program.push_back(alu32_imm(BPF_AND, scratch_reg, static_cast<std::int32_t>(mask)));
      program.push_back(jne_reg(scratch_reg, access_reg));
    }
    if (rule.major) program.push_back(jne_imm(major_reg, static_cast<std::int32_t>(*rule.major)));
    if (rule.minor) program.push_back(jne_imm(minor_reg, static_cast<std::int32_t>(*rule.minor)));
    program.push_back(return_value(1));
    program.push_back(exit_program());
    const std::size_t next_rule = program.size();
    for (std::size_t index = first; index < next_rule; ++index) {
      if (BPF_CLASS(program[index].code) == BPF_JMP && BPF_OP(program[index].code) == BPF_JNE) {
        program[index].off = static_cast<std::int16_t>(next_rule - index - 1);
      }
    }
  }
  program.push_back(return_value(0));
  program.push_back(exit_program());
  return program;
}

}  // namespace benchrun::runtime
