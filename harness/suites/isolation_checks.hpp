// The isolation suite's checks as data, what each backend promises for each, and the pure judgement of what
// the probe saw (bench/workloads/probe.cpp) against that promise. No I/O: unit-tested as it is.
//
// A promise is read from the one place that makes the backend's confinement: our container's from the
// ContainerConfig its InstanceSpec becomes and runtime/linux (capability set, seccomp denylist, masked paths),
// crun's and runc's from the config.json we give them (runtime/oci/oci_config.hpp). native promises nothing
// (it is the host), and a guest has a kernel of its own: every namespace is its own, and inside it its root
// may do what root may (nothing of that reaches the host).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reports/model.hpp"
#include "runtime/container_config.hpp"

namespace benchrun::harness {

// What a backend keeps from its instances, as configured.
struct Confinement {
  enum class World { host, container, own_kernel };
  World world = World::host;
  std::string source;                    // where the promise was read: "runtime/linux", "config.json", ...
  std::set<std::string> namespaces;      // OCI spelling: pid, uts, ipc, network, mount, user, cgroup
  std::set<std::string> capabilities;    // libcap names ("cap_chown") the instance keeps
  std::set<std::string> seccomp_denied;  // calls the filter refuses; "unshare" when it refuses a new user ns
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  bool readonly_sys = false;
};

Confinement host_confinement();   // native
Confinement guest_confinement();  // vm
Confinement container_confinement(const runtime::ContainerConfig& config);
// From the config.json runtime/oci/oci_config.hpp writes.
Confinement oci_confinement(const nlohmann::json& config);

// What the host gives the probe to compare with, and what the probe reads as the reference lists.
struct HostMarkers {
  long pid = 0;
  std::string comm;
  std::string hostname;
  long shm_key = 0;
  std::vector<std::pair<std::string, std::string>> interfaces;  // name, MAC ("" when it has none)
  std::string root;                                             // "major:minor:inode" of "/"
  std::map<std::string, std::string> namespace_inodes;          // "user", "cgroup" -> inode
  std::string boot_id;
};
// The probe's command line (its flags, protocol/isolation_probe.hpp) for these markers. The masked and
// read-only paths it looks at are runtime/linux's (the reference every promise is judged against).
std::vector<std::string> probe_arguments(const HostMarkers& markers);

// One line the probe printed: `BENCHRUN PROBE <check> <value> <detail>`.
struct ProbeObservation {
  std::string value;
  std::string detail;
};
using ProbeObservations = std::map<std::string, ProbeObservation>;
// The observation of a console line, or nullopt when it is not a probe line.
std::optional<std::pair<std::string, ProbeObservation>> parse_probe_line(std::string_view line);

// One check: its name in the report, what it asks, the words for protected/exposed.
struct IsolationCheck {
  std::string_view name;
  std::string_view question;
  std::string_view protected_word;
  std::string_view exposed_word;
};
// Every check, in report order.
const std::vector<IsolationCheck>& isolation_checks();

// What the backend promises for a check: protected or not, and on what ground.
struct Promise {
  bool is_protected = false;
  std::string basis;
};
Promise promise_for(const IsolationCheck& check, const Confinement& confinement);

// What the probe saw for a check: protected or not, and what it saw; nullopt when the probe did not say.
struct Seen {
  bool is_protected = false;
  std::string detail;
};
std::optional<Seen> seen_for(const IsolationCheck& check, const ProbeObservations& observations);

// Every check's verdict for one backend (backend left empty: the runner fills it in).
std::vector<reports::Verdict> judge_isolation(const Confinement& confinement, const ProbeObservations& observations);
// Every check failed for a probe that did not run, with what was promised and why nothing was seen.
std::vector<reports::Verdict> isolation_not_measured(const Confinement& confinement, const std::string& why);

}  // namespace benchrun::harness
