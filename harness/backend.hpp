// The seam between suites and the things that run a workload: a Backend launches Instances, an Instance
// is one running workload whose console (stdout) the suite reads line by line, stamped on arrival.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/instance_spec.hpp"
#include "reports/model.hpp"
#include "sys/clock.hpp"
#include "sys/console_lines.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {

// How an instance ended, as far as the host can tell.
struct InstanceExit {
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool oom_killed = false;
  sys::MonotonicNs at = 0;
};

struct InstanceStats {
  std::optional<std::uint64_t> memory_peak_bytes;
  std::optional<std::uint64_t> cpu_time_ns;
  // What the instance holds now (cgroup memory usage), where the backend can tell; density reads it from
  // idle instances (a guest's QEMU PSS is a current figure already, in memory_peak_bytes while it runs).
  std::optional<std::uint64_t> memory_current_bytes;
};

class Instance {
 public:
  virtual ~Instance() = default;

  // The next line the instance printed, stamped when it arrived; nullopt once its console closed.
  // Throws Timeout at `deadline`, Interrupted on a stop request.
  virtual std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline) = 0;
  // Waits for the instance to end (after its console closed). Throws Timeout / Interrupted.
  virtual InstanceExit wait_exit(sys::MonotonicNs deadline) = 0;
  // Backend-specific phase timestamps (absolute monotonic ns), in the order they happened.
  [[nodiscard]] virtual std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const = 0;
  // Resource usage; meaningful until destroy().
  virtual InstanceStats stats() = 0;
  // Figures the backend measured itself, named in the metric table (reports/metric_table.cpp), read once the
  // instance ended: e.g. vm+container's guest-clock container phases. Most backends have none.
  virtual std::vector<std::pair<std::string, double>> backend_metrics() { return {}; }
  // What the host read of the instance's limits while it ran, where the backend reads them itself (vm: libvirt's
  // tunables and QEMU's threads, vm/tunables_view.hpp), as named figures; read once the instance ended. Most
  // backends have none: the limits suite reads their cgroups by path.
  virtual std::map<std::string, double> host_limits_view() { return {}; }
  // Freezes the instance in place while it runs (no CPU, its memory kept) and returns once the host sees it
  // frozen; thaw() lets it run on. Throw Timeout at `deadline`; a backend that cannot freeze keeps these
  // defaults, which throw Error saying so. The spec must ask for it (InstanceSpec::freezable).
  virtual void freeze(sys::MonotonicNs /*deadline*/) {
    throw sys::Error("freeze: this backend cannot freeze an instance");
  }
  virtual void thaw(sys::MonotonicNs /*deadline*/) { throw sys::Error("thaw: this backend cannot freeze an instance"); }
  // What the host reads of the running instance at this moment, where the backend reads it itself, as named figures
  // (vm: libvirt's state of the domain and the CPU time QEMU's threads used so far, vm/tunables_view.hpp keys);
  // the freezer check reads it at both ends of its window. Most backends have none.
  virtual std::map<std::string, double> host_view_now() { return {}; }
  // The last lines the instance wrote to stderr, for failure messages.
  virtual std::string diagnostics() = 0;
  // Stops what still runs and removes every resource; idempotent. Destructors do it too, quietly.
  virtual void destroy() = 0;
};

// Destroys an instance when it goes out of scope, whatever happened before (destroy() is idempotent). A
// teardown that fails here is left to the sweep of the next run.
class TeardownGuard {
 public:
  explicit TeardownGuard(Instance& instance) : instance_(instance) {}
  TeardownGuard(const TeardownGuard&) = delete;
  TeardownGuard& operator=(const TeardownGuard&) = delete;
  ~TeardownGuard() {
    try {
      instance_.destroy();
    } catch (...) {  // the sweep of the next run removes what a failed teardown left
    }
  }

 private:
  Instance& instance_;
};

class Backend {
 public:
  virtual ~Backend() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual reports::BackendKind kind() const = 0;
  // What a report should say about this backend (e.g. {"domain_type": "qemu"}).
  [[nodiscard]] virtual std::map<std::string, std::string> details() const { return {}; }
  // Starts the workload; returns once it is launched (not yet ready). Throws Error.
  virtual std::unique_ptr<Instance> launch(const InstanceSpec& spec, sys::MonotonicNs deadline) = 0;
};

}  // namespace benchrun::harness
