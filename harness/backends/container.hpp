// benchrun's own runtime (runtime/): namespaces, cgroup with the suite's limits, overlay + pivot_root
// into the image, benchinit as PID 1.
#pragma once

#include "harness/backend.hpp"
#include "harness/stop_signal.hpp"
#include "runtime/container_config.hpp"

namespace benchrun::harness {

class ContainerBackend final : public Backend {
 public:
  ContainerBackend(ImageChoice image, StopSignal& stop);
  [[nodiscard]] std::string name() const override { return "container"; }
  [[nodiscard]] BackendKind kind() const override { return BackendKind::container; }
  [[nodiscard]] std::map<std::string, std::string> details() const override;
  std::unique_ptr<Instance> launch(const InstanceSpec& spec, sys::MonotonicNs deadline) override;

 private:
  ImageChoice image_;
  StopSignal& stop_;
};

// The runtime's limits for the harness's: the one place the two meet.
runtime::ResourceLimits to_runtime_limits(const Limits& limits);

}  // namespace benchrun::harness
