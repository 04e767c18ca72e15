#include "vm/capabilities.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include "sys/error.hpp"

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
    std::string content;
    {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      content = buffer.str();
    }
    const auto at = content.find(flag_line);
    if (at == std::string::npos) continue;
    auto line_start = content.rfind('\n', at);
    line_start = line_start == std::string::npos ? at : line_start + 1;
    const auto line_end = content.find('\n', at);
    content.erase(line_start, (line_end == std::string::npos ? content.size() : line_end + 1) - line_start);
    // Written beside and renamed over: libvirt never reads a half-written cache file.
    const auto temp = entry.path().string() + ".benchrun-tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << content;
      if (!out.flush()) throw sys::Error(fmt::format("capability cache: write {}", temp));
    }
    std::filesystem::rename(temp, entry.path(), error);
    if (error) throw sys::SystemError(error.value(), fmt::format("capability cache: rename {}", temp));
    ++changed;
  }
  return changed;
}

}  // namespace benchrun::vm
