// A real guest paused and resumed through libvirt (vm::Guest::suspend/resume, the vm backend's freeze/thaw): libvirt
// reads it paused, its vCPU thread stays off the CPU and its console silent, it runs on after the resume with its
// ticks all there; a paused guest is removed by destroy() and by the sweep, leaving nothing.
#include <signal.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include <filesystem>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/workload_protocol.hpp"
#include "tests/integration/vm/image_guest_test.hpp"
#include "vm/guest.hpp"
#include "vm/sweep.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::vm {
namespace {

using ::testing::HasSubstr;

constexpr sys::MonotonicNs one_second = 1'000'000'000;
constexpr sys::MonotonicNs boot_deadline = 90 * one_second;

class VmGuestPause : public ImageGuestTest {
 protected:
  void SetUp() override { stage_image("default", "benchrun-vmpause-", "run scripts/build-image.sh"); }

  // Reads the console up to benchinit's READY.
  static void until_ready(Guest& guest) {
    const sys::MonotonicNs deadline = sys::monotonic_now() + boot_deadline;
    while (auto line = guest.next_line(deadline)) {
      if (line->text == benchrun::protocol::ready_line) return;
    }
    FAIL() << "no READY";
  }

  void expect_gone(const std::string& name, std::optional<pid_t> qemu_pid) const {
    virDomainPtr domain = virDomainLookupByName(connection_->get(), name.c_str());
    EXPECT_EQ(domain, nullptr) << "domain " << name << " still exists";
    if (domain != nullptr) virDomainFree(domain);
    if (qemu_pid) {
      EXPECT_NE(::kill(*qemu_pid, 0), 0) << "QEMU pid " << *qemu_pid << " still exists";
    }
    EXPECT_FALSE(find_qemu_pid(name, embed_root).has_value()) << "a QEMU of " << name << " still runs";
  }
};

TEST_F(VmGuestPause, APausedGuestStandsStillAndRunsOnIntactAfterTheResume) {
  const GuestConfig guest_config = staged_guest_config("ticker", {"/bench/bin/ticker", "3000", "100"});
  std::optional<pid_t> qemu_pid;
  {
    Guest guest = Guest::start(*connection_, guest_config);
    qemu_pid = guest.qemu_pid();
    ASSERT_TRUE(qemu_pid.has_value());
    EXPECT_EQ(guest.run_state().state, VIR_DOMAIN_RUNNING);
    std::vector<std::uint64_t> ticks;
    const auto take = [&](const sys::ConsoleLine& line) {
      if (line.text.starts_with("ticker: tick ")) ticks.push_back(std::stoull(line.text.substr(13)));
    };
    const sys::MonotonicNs deadline = sys::monotonic_now() + boot_deadline;
    while (ticks.size() < 3) {
      auto line = guest.next_line(deadline);
      ASSERT_TRUE(line.has_value()) << "the console closed before the third tick";
      take(*line);
    }

    guest.suspend(sys::monotonic_now() + 30 * one_second);
    EXPECT_EQ(guest.run_state().state, VIR_DOMAIN_PAUSED);
    EXPECT_EQ(guest.run_state().reason, VIR_DOMAIN_PAUSED_USER);
    // What was in flight when the pause took hold, then silence: no line in a whole second.
    try {
      while (auto line = guest.next_line(sys::monotonic_now() + one_second / 4)) take(*line);
    } catch (const sys::Timeout&) {
    }
    const auto before = read_qemu_thread_times(*qemu_pid);
    EXPECT_THROW(guest.next_line(sys::monotonic_now() + one_second), sys::Timeout) << "a paused guest printed";
    const auto after = read_qemu_thread_times(*qemu_pid);
    ASSERT_TRUE(before && after);
    EXPECT_EQ(before->vcpu_threads, 1U);
    EXPECT_EQ(after->vcpu_ns, before->vcpu_ns) << "the paused vCPU thread ran";

    guest.resume(sys::monotonic_now() + 30 * one_second);
    EXPECT_EQ(guest.run_state().state, VIR_DOMAIN_RUNNING);
    std::optional<std::string> result;
    while (auto line = guest.next_line(deadline)) {
      take(*line);
      if (line->text.starts_with(benchrun::protocol::result_prefix)) result = line->text;
    }
    ASSERT_TRUE(result.has_value());
    EXPECT_THAT(*result, HasSubstr("\"exit_code\":0"));
    for (std::size_t i = 0; i < ticks.size(); ++i) ASSERT_EQ(ticks[i], i + 1) << "a tick was lost";
    EXPECT_THAT(*result, HasSubstr("ticker_ticks"));
    guest.wait_exit(deadline);
  }
  expect_gone(guest_config.name, qemu_pid);
}

TEST_F(VmGuestPause, DestroyRemovesAPausedGuest) {
  const GuestConfig guest_config = staged_guest_config("destroy", {"/bench/bin/spin", "60000"});
  std::optional<pid_t> qemu_pid;
  {
    Guest guest = Guest::start(*connection_, guest_config);
    qemu_pid = guest.qemu_pid();
    until_ready(guest);
    guest.suspend(sys::monotonic_now() + 30 * one_second);
    ASSERT_EQ(guest.run_state().state, VIR_DOMAIN_PAUSED);
    guest.destroy();
    EXPECT_EQ(guest.run_state().state, 0) << "no domain, no state";
  }
  expect_gone(guest_config.name, qemu_pid);
}

TEST_F(VmGuestPause, TheSweepRemovesAPausedGuestAndResumingAGoneOneIsOneClearLine) {
  const GuestConfig guest_config = staged_guest_config("sweep", {"/bench/bin/spin", "60000"});
  std::optional<pid_t> qemu_pid;
  {
    Guest guest = Guest::start(*connection_, guest_config);
    qemu_pid = guest.qemu_pid();
    until_ready(guest);
    guest.suspend(sys::monotonic_now() + 30 * one_second);
    // As a killed run leaves it: paused, found by name.
    EXPECT_THAT(sweep_leftovers(*connection_, guest_config.name), ::testing::ElementsAre(guest_config.name));
    expect_gone(guest_config.name, qemu_pid);
    try {
      guest.resume(sys::monotonic_now() + one_second);
      FAIL() << "resumed a destroyed guest";
    } catch (const sys::Error& error) {
      EXPECT_THAT(error.what(), HasSubstr(guest_config.name + ": resume"));
      EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
    }
  }
  expect_gone(guest_config.name, qemu_pid);
}

}  // namespace
}  // namespace benchrun::vm
