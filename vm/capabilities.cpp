#include "vm/capabilities.hpp"

#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <fmt/format.h>

#include "runtime/sys/error.hpp"

namespace benchrun::vm {

std::string domain_type_from_capabilities(std::string_view capabilities_xml) {
  namespace pt = boost::property_tree;
  pt::ptree caps;
  try {
    std::istringstream input{std::string(capabilities_xml)};
    pt::read_xml(input, caps);
  } catch (const pt::xml_parser_error& error) {
    throw Error(fmt::format("capabilities XML: {}", error.what()));
  }
  const auto root = caps.get_child_optional("capabilities");
  if (!root) throw Error("capabilities XML: no <capabilities> element");
  bool offers_x86_64 = false;
  for (const auto& [tag, guest] : *root) {
    if (tag != "guest" || guest.get<std::string>("os_type", "") != "hvm") continue;
    for (const auto& [arch_tag, arch] : guest) {
      if (arch_tag != "arch" || arch.get<std::string>("<xmlattr>.name", "") != "x86_64") continue;
      offers_x86_64 = true;
      for (const auto& [domain_tag, domain] : arch) {
        if (domain_tag == "domain" && domain.get<std::string>("<xmlattr>.type", "") == "kvm") return "kvm";
      }
    }
  }
  if (!offers_x86_64) throw Error("capabilities XML: no x86_64 hvm guest (is qemu-system-x86 installed?)");
  return "qemu";
}

}  // namespace benchrun::vm
