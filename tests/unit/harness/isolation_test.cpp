// The isolation suite's judgement: what each backend promises (read from runtime/linux and from the OCI
// config we write), what the probe's lines say, and that every check's verdict flips to fail when what was
// seen stops matching the promise.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "harness/backends/container.hpp"
#include "harness/suites/isolation.hpp"
#include "harness/suites/isolation_checks.hpp"
#include "protocol/isolation_probe.hpp"
#include "runtime/oci/oci_config.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {
namespace {

// CapEff of the default set (runtime/linux/security.cpp: Docker's less CAP_NET_RAW), as /proc/self/status prints it.
constexpr const char* docker_cap_eff = "00000000a80405fb";
constexpr const char* all_cap_eff = "000001ffffffffff";

runtime::ContainerConfig default_config() {
  InstanceSpec spec;
  spec.name = "benchrun-test-0";
  spec.workload = "probe";
  return container_config("/images/default/rootfs", spec, {});
}

Confinement oci_of(const runtime::ContainerConfig& config) {
  return oci_confinement(runtime::oci::make_config(config, {"/bundle/root", false}));
}

// What the probe prints in an instance that keeps from the host everything `protect` says.
ProbeObservations observations(bool protect, const char* cap_eff) {
  ProbeObservations seen;
  for (const IsolationCheck& check : isolation_checks()) {
    const std::string name(check.name);
    if (name == "caps.bounded") {
      seen[name] = {cap_eff, fmt::format("CapEff {}", cap_eff)};
    } else if (name == "seccomp.denied_calls") {
      for (const char* call : {"keyctl", "process_vm_readv", "name_to_handle_at", "sysfs", "unshare"}) {
        seen[fmt::format("seccomp.{}", call)] = {protect ? protocol::probe_refused : protocol::probe_allowed, "x"};
      }
    } else if (name.ends_with(".refused")) {
      seen[name] = {protect ? protocol::probe_refused : protocol::probe_allowed, "x"};
    } else {
      seen[name] = {protect ? protocol::probe_protected : protocol::probe_exposed, "x"};
    }
  }
  return seen;
}

// By value: callers pass the temporary judge_isolation() returns.
reports::Verdict verdict_of(const std::vector<reports::Verdict>& verdicts, std::string_view check) {
  for (const auto& verdict : verdicts) {
    if (verdict.check == check) return verdict;
  }
  throw sys::Error(fmt::format("no verdict for {}", check));
}

TEST(IsolationProbeLine, ParsesCheckValueAndDetail) {
  const auto parsed = parse_probe_line("BENCHRUN PROBE uts.own_hostname protected hostname a, host's b");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, "uts.own_hostname");
  EXPECT_EQ(parsed->second.value, "protected");
  EXPECT_EQ(parsed->second.detail, "hostname a, host's b");
  EXPECT_FALSE(parse_probe_line("BENCHRUN READY"));
  EXPECT_FALSE(parse_probe_line("BENCHRUN PROBE nothing"));
  EXPECT_FALSE(parse_probe_line("[    1.2] BENCHRUN PROBE a b c"));
}

TEST(IsolationPromise, OurContainerPromisesWhatRuntimeLinuxConfigures) {
  const Confinement container = container_confinement(default_config());
  for (const IsolationCheck& check : isolation_checks()) {
    const Promise promise = promise_for(check, container);
    EXPECT_NE(promise.basis, "no promise known") << check.name;
    // Defaults: no user namespace; everything else is kept from the host.
    const bool expected = check.name != "user.own_namespace";
    EXPECT_EQ(promise.is_protected, expected) << check.name << ": " << promise.basis;
  }
}

TEST(IsolationPromise, OciConfigPromisesWhatOurContainerDoesForTheSameSpec) {
  auto config = default_config();
  for (bool user_namespace : {false, true}) {
    config.user_namespace = user_namespace;
    const Confinement ours = container_confinement(config);
    const Confinement peers = oci_of(config);
    EXPECT_EQ(peers.namespaces, ours.namespaces);
    EXPECT_EQ(peers.capabilities, ours.capabilities);
    EXPECT_EQ(peers.seccomp_denied, ours.seccomp_denied);
    EXPECT_EQ(peers.masked_paths, ours.masked_paths);
    EXPECT_EQ(peers.readonly_paths, ours.readonly_paths);
    EXPECT_EQ(peers.readonly_sys, ours.readonly_sys);
  }
}

TEST(IsolationPromise, NativePromisesNothingAndAGuestItsOwnKernel) {
  for (const IsolationCheck& check : isolation_checks()) {
    EXPECT_FALSE(promise_for(check, host_confinement()).is_protected) << check.name;
    const bool namespace_check = check.name.find(".own_") != std::string_view::npos || check.name.starts_with("pid.") ||
                                 check.name.ends_with("_hidden") || check.name == "ipc.own_objects";
    EXPECT_EQ(promise_for(check, guest_confinement()).is_protected, namespace_check) << check.name;
  }
}

// Every protection --isolation-off removes changes what the config promises (the same switches drive the
// instance), for ours and for the peers' config.json.
TEST(IsolationPromise, EveryRemovableProtectionChangesThePromiseOfItsChecks) {
  auto requested = default_config();
  requested.user_namespace = true;
  InstanceSpec spec;
  spec.name = "benchrun-test-0";
  spec.workload = "probe";
  spec.user_namespace = true;
  for (const auto& protection : removable_protections()) {
    const auto removed =
        container_config("/images/default/rootfs", without_protections(spec, {std::string(protection.name)}), {});
    for (const auto& confinement_of : {&container_confinement, &oci_of}) {
      const Confinement before = confinement_of(requested);
      const Confinement after = confinement_of(removed);
      int changed = 0;
      for (const IsolationCheck& check : isolation_checks()) {
        if (promise_for(check, before).is_protected && !promise_for(check, after).is_protected) ++changed;
      }
      EXPECT_GT(changed, 0) << protection.name;
    }
  }
}

TEST(IsolationJudgement, AContainerThatKeepsItsPromisesPassesEveryCheck) {
  auto seen = observations(true, docker_cap_eff);
  seen["user.own_namespace"] = {protocol::probe_exposed, "host's"};
  for (const auto& verdict : judge_isolation(container_confinement(default_config()), seen)) {
    EXPECT_TRUE(verdict.pass) << verdict.check << ": " << verdict.why;
    EXPECT_TRUE(verdict.configured && verdict.measured) << verdict.check;
  }
}

// The unit-level flip: one observation turned, one verdict failed, the others untouched.
TEST(IsolationJudgement, EveryCheckFailsWhenItsObservationFlips) {
  const Confinement container = container_confinement(default_config());
  auto keeps = observations(true, docker_cap_eff);
  keeps["user.own_namespace"] = {protocol::probe_exposed, "x"};
  for (const IsolationCheck& check : isolation_checks()) {
    auto flipped = keeps;
    const std::string name(check.name);
    if (name == "caps.bounded") {
      flipped[name].value = all_cap_eff;
    } else if (name == "seccomp.denied_calls") {
      flipped["seccomp.keyctl"].value = protocol::probe_allowed;
    } else if (name.ends_with(".refused")) {
      flipped[name].value =
          flipped[name].value == protocol::probe_refused ? protocol::probe_allowed : protocol::probe_refused;
    } else {
      flipped[name].value =
          flipped[name].value == protocol::probe_protected ? protocol::probe_exposed : protocol::probe_protected;
    }
    for (const auto& verdict : judge_isolation(container, flipped)) {
      EXPECT_EQ(verdict.pass, verdict.check != name) << "flipped " << name << ", verdict " << verdict.check;
    }
  }
}

TEST(IsolationJudgement, NativeSeenNotIsolatedPassesAsExpected) {
  const auto verdicts = judge_isolation(host_confinement(), observations(false, all_cap_eff));
  for (const auto& verdict : verdicts) EXPECT_TRUE(verdict.pass) << verdict.check << ": " << verdict.why;
  EXPECT_NE(verdict_of(verdicts, "pid.host_pids_hidden").why.find("not isolated, as expected"), std::string::npos);
}

TEST(IsolationJudgement, CapabilitiesBeyondTheSetAreNamed) {
  auto seen = observations(true, "00000000a82405fb");  // + cap_sys_admin (21)
  const auto& verdict = verdict_of(judge_isolation(container_confinement(default_config()), seen), "caps.bounded");
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("cap_sys_admin"), std::string::npos) << verdict.why;
}

TEST(IsolationJudgement, SeccompJudgesOnlyTheFiltersOwnCallsAndNamesTheAllowedOnes) {
  auto seen = observations(true, docker_cap_eff);
  seen["seccomp.getpid"] = {protocol::probe_allowed, "not a call of the filter"};
  const Confinement container = container_confinement(default_config());
  EXPECT_TRUE(verdict_of(judge_isolation(container, seen), "seccomp.denied_calls").pass);
  seen["seccomp.sysfs"].value = protocol::probe_allowed;
  const auto& verdict = verdict_of(judge_isolation(container, seen), "seccomp.denied_calls");
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("allowed: sysfs"), std::string::npos) << verdict.why;
}

TEST(IsolationJudgement, AMissingObservationFails) {
  auto seen = observations(true, docker_cap_eff);
  seen.erase("ipc.own_objects");
  const auto& verdict = verdict_of(judge_isolation(container_confinement(default_config()), seen), "ipc.own_objects");
  EXPECT_FALSE(verdict.pass);
  EXPECT_FALSE(verdict.measured);
}

TEST(IsolationJudgement, ACallTheKernelLacksIsNotJudged) {
  auto seen = observations(true, docker_cap_eff);
  seen["module_load.refused"] = {protocol::probe_unsupported, "finit_module(-1): ENOSYS"};
  for (const Confinement& confinement : {container_confinement(default_config()), host_confinement()}) {
    const auto& verdict = verdict_of(judge_isolation(confinement, seen), "module_load.refused");
    EXPECT_TRUE(verdict.pass) << verdict.why;
    EXPECT_EQ(verdict.measured, reports::VerdictValue(std::string("unsupported")));
  }
}

TEST(IsolationOff, ParsesKnownProtectionsAndRefusesOthers) {
  EXPECT_EQ(parse_isolation_off("seccomp,net-ns,seccomp"), (std::vector<std::string>{"seccomp", "net-ns"}));
  EXPECT_TRUE(parse_isolation_off("").empty());
  EXPECT_THROW(parse_isolation_off("seccomp,firewall"), sys::Error);
  InstanceSpec spec;
  const InstanceSpec off = without_protections(spec, {"seccomp", "pid-ns", "readonly-sys"});
  EXPECT_FALSE(off.seccomp);
  EXPECT_FALSE(off.pid_namespace);
  EXPECT_FALSE(off.readonly_sys);
  EXPECT_TRUE(off.uts_namespace);
}

TEST(IsolationProbeArguments, CarryTheMarkersAndRuntimeLinuxsPaths) {
  HostMarkers markers;
  markers.pid = 42;
  markers.comm = "benchrun";
  markers.interfaces = {{"eth0", "02:00:00:00:00:01"}, {"tun0", ""}};
  markers.namespace_inodes = {{"cgroup", "5"}, {"user", "7"}};
  const auto args = probe_arguments(markers);
  const auto value_of = [&](std::string_view flag) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == flag) return args[i + 1];
    }
    return std::string("<missing>");
  };
  EXPECT_EQ(value_of(protocol::probe_host_pid), "42");
  EXPECT_EQ(value_of(protocol::probe_host_net), "eth0=02:00:00:00:00:01,tun0=");
  EXPECT_EQ(value_of(protocol::probe_host_ns), "cgroup=5,user=7");
  EXPECT_NE(value_of(protocol::probe_masked).find("/proc/kcore"), std::string::npos);
  EXPECT_NE(value_of(protocol::probe_readonly).find("/proc/sys"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::harness
