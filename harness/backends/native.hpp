// The baseline: benchinit and the workload from the image, run as plain host processes. No namespaces,
// no cgroup, no limits: what every other backend's cost is measured against.
#pragma once

#include "harness/backend.hpp"
#include "harness/stop_signal.hpp"

namespace benchrun::harness {

class NativeBackend final : public Backend {
 public:
  NativeBackend(ImageChoice image, StopSignal& stop);
  [[nodiscard]] std::string name() const override { return "native"; }
  [[nodiscard]] BackendKind kind() const override { return BackendKind::native; }
  std::unique_ptr<Instance> launch(const InstanceSpec& spec, sys::MonotonicNs deadline) override;

 private:
  ImageChoice image_;
  StopSignal& stop_;
};

}  // namespace benchrun::harness
