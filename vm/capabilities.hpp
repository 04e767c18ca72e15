// What the hypervisor behind a connection offers, read from virConnectGetCapabilities' XML.
#pragma once

#include <string>
#include <string_view>

namespace benchrun::vm {

// "kvm" when the capabilities offer an x86_64 hvm guest with domain type kvm (hardware virtualization),
// else "qemu" (TCG, QEMU's binary translator). Throws Error on XML that does not parse or that offers no
// x86_64 hvm guest at all.
std::string domain_type_from_capabilities(std::string_view capabilities_xml);

}  // namespace benchrun::vm
