// What the hypervisor behind a connection offers, read from virConnectGetCapabilities' XML.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace benchrun::vm {

// "kvm" when the capabilities offer an x86_64 hvm guest with domain type kvm (hardware virtualization),
// else "qemu" (TCG, QEMU's binary translator). Throws Error on XML that does not parse or that offers no
// x86_64 hvm guest at all.
std::string domain_type_from_capabilities(std::string_view capabilities_xml);

}  // namespace benchrun::vm

namespace benchrun::vm {

// The biggest cost libvirt adds to a TCG start (measured: 0.4-1.5 s of virDomainCreateXML, depending on
// load): after QEMU starts, libvirt 9.0 reads the guest CPU's features back with one QMP qom-get per
// feature (~400 round trips) whenever QEMU has the "cpu-unavailable-features" capability. Without that
// capability libvirt takes its older x86 path: two qom-gets ("feature-words", "filtered-features") that
// yield the same enabled/disabled feature sets. This removes the flag from the capability cache libvirt
// keeps under <embed root>/cache/qemu/capabilities, before the driver loads it. Only for roots benchrun
// owns (never a system daemon's cache). libvirt rewrites the cache when QEMU or libvirt change; the next
// open trims it again, so at most one run after an upgrade pays the full cost. Returns the number of
// cache files changed.
int trim_guest_cpu_probe(const std::filesystem::path& embed_root);

}  // namespace benchrun::vm
