#include "vm/capabilities.hpp"

#include <sstream>

#include <fmt/format.h>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::vm {

std::string domain_type_from_capabilities(std::string_view capabilities_xml) {
  namespace pt = boost::property_tree;
  pt::ptree caps;
  try {
    std::istringstream input{std::string(capabilities_xml)};
    pt::read_xml(input, caps);
  } catch (const pt::xml_parser_error& error) {
    throw sys::Error(fmt::format("capabilities XML: {}", error.what()));
  }
  const auto root = caps.get_child_optional("capabilities");
  if (!root) throw sys::Error("capabilities XML: no <capabilities> element");
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
  if (!offers_x86_64) throw sys::Error("capabilities XML: no x86_64 hvm guest (is qemu-system-x86 installed?)");
  return "qemu";
}

}  // namespace benchrun::vm

namespace benchrun::vm {

int trim_guest_cpu_probe(const std::filesystem::path& embed_root) {
  constexpr std::string_view flag_line = "<flag name='cpu-unavailable-features'/>";
  const auto cache_dir = embed_root / "cache" / "qemu" / "capabilities";
  int changed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(cache_dir, error)) {
    if (entry.path().extension() != ".xml") continue;
    auto cached = sys::with_context("capability cache", [&] { return sys::read_file_if_present(entry.path()); });
    if (!cached) continue;  // replaced by libvirt meanwhile
    std::string& content = *cached;
    const auto at = content.find(flag_line);
    if (at == std::string::npos) continue;
    auto line_start = content.rfind('\n', at);
    line_start = line_start == std::string::npos ? at : line_start + 1;
    const auto line_end = content.find('\n', at);
    content.erase(line_start, (line_end == std::string::npos ? content.size() : line_end + 1) - line_start);
    // Written beside, synced and renamed over: libvirt never reads a half-written cache file.
    sys::with_context("capability cache", [&] { sys::write_file_atomically(entry.path(), content); });
    ++changed;
  }
  return changed;
}

}  // namespace benchrun::vm
