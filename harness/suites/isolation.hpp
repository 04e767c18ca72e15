// The isolation suite: what can an instance see of the host and do to it? One step per backend starts the
// `probe` workload (bench/workloads/probe.cpp) with what it needs to compare against on the host (a host pid,
// the hostname, a SysV shm segment made for the step, the host's interfaces, root and namespaces), reads the
// observations it prints, and judges each check against what the backend promises (isolation_checks.hpp):
// one verdict per check, case and backend; a failed one makes the run exit 1.
//
// --isolation-off removes protections from the container backends' instances (ours, crun, runc) while the
// promise stays what the backend's default configuration says: the flip test of every check, which must
// then fail. A check that cannot fail is not a check.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/backend.hpp"
#include "harness/suites/isolation_checks.hpp"
#include "harness/suites/registry.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// A protection --isolation-off can remove, and the InstanceSpec switch that holds it.
struct RemovableProtection {
  std::string_view name;
  bool InstanceSpec::*keeps;  // true while the protection is in place
  std::string_view what;
};
const std::vector<RemovableProtection>& removable_protections();

// "seccomp,net-ns" -> those names, checked against removable_protections(); throws Error naming the known
// ones for an unknown name.
std::vector<std::string> parse_isolation_off(const std::string& text);
// The spec with those protections removed.
InstanceSpec without_protections(InstanceSpec spec, const std::vector<std::string>& off);

// One case: the probe, under the limit flags (--workload is not used: the probe is the workload).
std::vector<reports::Case> isolation_cases(const CaseFlags& flags);
Step make_isolation_step(const SuiteOptions& options);

// What the host offers the probe for comparison, read now. The shm segment is the caller's (see below).
HostMarkers read_host_markers(long shm_key);

// A SysV shared memory segment made for one step, under a random free key; removed by the destructor.
class HostShmSegment {
 public:
  HostShmSegment();
  ~HostShmSegment();
  HostShmSegment(const HostShmSegment&) = delete;
  HostShmSegment& operator=(const HostShmSegment&) = delete;
  [[nodiscard]] long key() const { return key_; }

 private:
  long key_ = 0;
  int id_ = -1;
};

}  // namespace benchrun::harness
