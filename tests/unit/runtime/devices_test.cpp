// The devices allow list as data, its v1 lines, and the v2 device program: its shape, and what it decides,
// run here by a small interpreter of the instructions it uses (the kernel's verifier and the real run are the
// integration tests': tests/integration/runtime/container_devices_test.cpp).
#include "runtime/cgroup/devices.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "fake_cgroup_tree.hpp"
#include "runtime/cgroup/cgroup.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime {
namespace {

// Runs `program` on one bpf_cgroup_dev_ctx; only the instruction forms device_filter_program emits.
std::uint64_t run(const std::vector<bpf_insn>& program, std::uint32_t type, std::uint32_t access, std::uint32_t major,
                  std::uint32_t minor) {
  const std::array<std::uint32_t, 3> context = {access << 16 | type, major, minor};
  std::array<std::uint64_t, 11> reg{};
  std::size_t pc = 0;
  for (int steps = 0; steps < 10'000; ++steps) {
    if (pc >= program.size()) throw std::runtime_error("ran off the end of the program");
    const bpf_insn& insn = program[pc++];
    const auto imm = static_cast<std::uint32_t>(insn.imm);
    switch (insn.code) {
      case BPF_LDX | BPF_W | BPF_MEM:
        if (reg[insn.src_reg] != 0 || insn.off % 4 != 0 || insn.off > 8) throw std::runtime_error("bad load");
        reg[insn.dst_reg] = context.at(static_cast<std::size_t>(insn.off / 4));
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        reg[insn.dst_reg] = static_cast<std::uint32_t>(reg[insn.dst_reg]) & imm;
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        reg[insn.dst_reg] = static_cast<std::uint32_t>(reg[insn.dst_reg]) >> imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        reg[insn.dst_reg] = static_cast<std::uint32_t>(reg[insn.src_reg]);
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        reg[insn.dst_reg] = static_cast<std::uint64_t>(static_cast<std::int64_t>(insn.imm));
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (reg[insn.dst_reg] != static_cast<std::uint64_t>(static_cast<std::int64_t>(insn.imm))) pc += insn.off;
        break;
      case BPF_JMP | BPF_JNE | BPF_X:
        if (reg[insn.dst_reg] != reg[insn.src_reg]) pc += insn.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return reg[0];
      default:
        throw std::runtime_error("an instruction the program should not hold");
    }
  }
  throw std::runtime_error("no exit");
}

constexpr std::uint32_t chr = BPF_DEVCG_DEV_CHAR;
constexpr std::uint32_t blk = BPF_DEVCG_DEV_BLOCK;
constexpr std::uint32_t read = BPF_DEVCG_ACC_READ;
constexpr std::uint32_t write = BPF_DEVCG_ACC_WRITE;
constexpr std::uint32_t mknod = BPF_DEVCG_ACC_MKNOD;

TEST(DevicesAllowList, IsRuncsDefaultSetAsV1Lines) {
  std::vector<std::string> lines;
  for (const DeviceRule& rule : default_allowed_devices()) lines.push_back(v1_rule_line(rule));
  EXPECT_THAT(lines, ::testing::ElementsAre("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
                                            "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"));
}

TEST(DeviceProgram, HasAPrologueAChecksBlockPerRuleAndADenyingTail) {
  const auto program = device_filter_program(default_allowed_devices());
  // 6 prologue; "c *:* m" and "b *:* m": type + 3 access + 2 = 6 each; 8 rules "c M:m rwm": type, major,
  // minor + 2 = 5 each; "c 136:* rwm": 4; tail 2.
  EXPECT_EQ(program.size(), 6u + 2 * 6 + 8 * 5 + 4 + 2);
  EXPECT_EQ(program.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(program[program.size() - 2].imm, 0);
  for (std::size_t index = 0; index < program.size(); ++index) {
    if (program[index].code == (BPF_JMP | BPF_JNE | BPF_K) || program[index].code == (BPF_JMP | BPF_JNE | BPF_X)) {
      const std::size_t target = index + 1 + static_cast<std::size_t>(program[index].off);
      ASSERT_LT(target, program.size()) << "jump at " << index;
      EXPECT_GT(program[index].off, 0) << "no jump goes backwards (the verifier refuses loops)";
    }
  }
  EXPECT_EQ(device_filter_program({}).size(), 8u) << "no rule: deny everything";
}

TEST(DeviceProgram, AllowsTheListedDevicesAndDeniesTheRest) {
  const auto program = device_filter_program(default_allowed_devices());
  EXPECT_EQ(run(program, chr, read | write, 1, 3), 1u) << "/dev/null";
  EXPECT_EQ(run(program, chr, read, 1, 9), 1u) << "/dev/urandom";
  EXPECT_EQ(run(program, chr, read | write, 136, 7), 1u) << "/dev/pts/7";
  EXPECT_EQ(run(program, chr, read | write, 5, 2), 1u) << "/dev/ptmx";
  EXPECT_EQ(run(program, chr, write, 1, 11), 0u) << "/dev/kmsg";
  EXPECT_EQ(run(program, chr, read, 1, 1), 0u) << "/dev/mem";
  EXPECT_EQ(run(program, blk, read, 8, 0), 0u) << "/dev/sda";
  EXPECT_EQ(run(program, blk, read, 1, 3), 0u) << "a block device numbered as /dev/null";
  EXPECT_EQ(run(program, chr, mknod, 1, 11), 1u) << "making any node is allowed";
  EXPECT_EQ(run(program, blk, mknod, 8, 0), 1u);
  EXPECT_EQ(run(program, chr, mknod | read, 1, 11), 0u) << "m alone does not cover reading";
}

TEST(DeviceProgram, AnAllowAllRuleAllowsEverything) {
  const std::array<DeviceRule, 1> all = {DeviceRule{}};
  const auto program = device_filter_program(all);
  EXPECT_EQ(program.size(), 6u + 2 + 2) << "no field fixed: no check, only return 1";
  EXPECT_EQ(run(program, blk, read | write | mknod, 8, 0), 1u);
}

class DevicesCgroupV1 : public testing::FakeCgroupTest {};

TEST_F(DevicesCgroupV1, DeniesAllThenAllowsEachRule) {
  const auto cgroup = create_on(
      CgroupMode::v1,
      [](const testing::FakeCgroupTree& tree) {
        tree.write("memory/cgroup.procs", "");
        tree.write("devices/cgroup.procs", "");
      },
      "benchrun-unit-devices");
  for (const char* file : {"devices.deny", "devices.allow"}) {
    tree_.write(std::filesystem::path("devices/benchrun/benchrun-unit-devices") / file, "");  // as mkdir makes them
  }
  const std::array<DeviceRule, 2> rules = {DeviceRule{'c', 1, 3, "rwm"},
                                           DeviceRule{'b', std::nullopt, std::nullopt, "m"}};
  cgroup->restrict_devices(rules);
  // The fake files keep the last write; the kernel's take each line as one more exception.
  EXPECT_EQ(tree_.read("devices/benchrun/benchrun-unit-devices/devices.deny"), "a");
  EXPECT_EQ(tree_.read("devices/benchrun/benchrun-unit-devices/devices.allow"), "b *:* m");
}

TEST_F(DevicesCgroupV1, WithoutADevicesHierarchyRestrictingIsAnError) {
  const auto cgroup = create_on(
      CgroupMode::v1, [](const testing::FakeCgroupTree& tree) { tree.write("memory/cgroup.procs", ""); },
      "benchrun-unit-nodevices");
  EXPECT_THROW(cgroup->restrict_devices(default_allowed_devices()), sys::Error);
}

}  // namespace
}  // namespace benchrun::runtime
