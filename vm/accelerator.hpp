// Which accelerator a guest runs with, and why: KVM only where it can boot a stock guest kernel, TCG
// (QEMU's binary translator) otherwise. Libvirt-free, so `benchrun` itself (doctor, the report's
// environment) can ask without loading the vm plugin.
//
// Why /dev/kvm alone does not decide: a paravirtual nested KVM (kvm_pvm) creates /dev/kvm and accepts
// KVM_CREATE_VM, and libvirt then offers domain type kvm, but QEMU aborts with host-passthrough ("failed
// to set MSR 0x10a") and the Debian kernel hangs after "Probing EDD" with `-cpu host,-arch-capabilities`.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sys/error.hpp"

namespace benchrun::vm {

enum class Accelerator { kvm, tcg };
enum class AcceleratorRequest { automatic, kvm, tcg };

// "kvm" / "tcg": the report's environment.virtualization.
std::string_view to_string(Accelerator accelerator);
// "auto" / "kvm" / "tcg".
std::string_view to_string(AcceleratorRequest request);
// libvirt's domain type: "kvm" / "qemu".
std::string_view domain_type_of(Accelerator accelerator);
// "auto", "kvm" or "tcg"; throws Error naming the choices otherwise.
AcceleratorRequest parse_accelerator_request(std::string_view text);

// Where the facts are read; tests point these at a fake tree.
struct HostPaths {
  std::filesystem::path dev_kvm = "/dev/kvm";
  std::filesystem::path sys_module = "/sys/module";
  std::filesystem::path cpuinfo = "/proc/cpuinfo";
};

// What KVM on this host can do, judged from /dev/kvm, the loaded KVM modules and the CPU flags.
struct KvmAssessment {
  enum class Verdict {
    works,        // hardware virtualisation behind /dev/kvm: kvm_intel with vmx, or kvm_amd with svm
    cannot_work,  // no usable /dev/kvm, or only a paravirtual KVM (kvm_pvm)
    unknown,      // /dev/kvm opens but what is behind it is not known: a probe boot decides
  };
  Verdict verdict = Verdict::unknown;
  std::string reason;  // one line, e.g. "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel"
};
KvmAssessment assess_kvm(const HostPaths& paths = {});

// What a probe boot under KVM found: nullopt when the guest booted, else why it did not.
using KvmProbe = std::function<std::optional<std::string>()>;

struct AcceleratorChoice {
  Accelerator accelerator = Accelerator::tcg;
  std::string reason;
};

// `--accel kvm` where KVM cannot work. The message is the whole line for the user (exit 2).
class AcceleratorUnavailable : public sys::Error {
 public:
  using sys::Error::Error;
};

// auto: KVM where the assessment says it works, TCG where it cannot, the probe's verdict where unknown.
// kvm: KVM, or AcceleratorUnavailable naming why not. tcg: TCG. The probe runs only when needed.
AcceleratorChoice choose_accelerator(AcceleratorRequest request, const KvmAssessment& assessment,
                                     const KvmProbe& probe);

}  // namespace benchrun::vm
