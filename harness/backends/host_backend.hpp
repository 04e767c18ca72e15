// A backend whose instances run on this host straight from the image (native, container): each launch
// makes one InstanceType from the image, the spec and the stop signal. The rest is what the backend says
// about itself.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "harness/backend.hpp"
#include "harness/backends/backend_setup.hpp"

namespace benchrun::harness {

template <class InstanceType>
class HostBackend final : public Backend {
 public:
  HostBackend(std::string name, reports::BackendKind kind, std::map<std::string, std::string> details,
              const BackendSetup& setup)
      : name_(std::move(name)), kind_(kind), details_(std::move(details)), image_(setup.image), stop_(setup.stop) {}

  [[nodiscard]] std::string name() const override { return name_; }
  [[nodiscard]] reports::BackendKind kind() const override { return kind_; }
  [[nodiscard]] std::map<std::string, std::string> details() const override { return details_; }
  std::unique_ptr<Instance> launch(const InstanceSpec& spec, sys::MonotonicNs /*deadline*/) override {
    return std::make_unique<InstanceType>(image_, spec, stop_);
  }

 private:
  std::string name_;
  reports::BackendKind kind_;
  std::map<std::string, std::string> details_;
  ImageChoice image_;
  StopSignal& stop_;
};

}  // namespace benchrun::harness
