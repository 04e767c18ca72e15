#include "vm/cgroup_layout.hpp"

namespace benchrun::vm {

std::string_view to_string(CgroupLayout layout) noexcept {
  switch (layout) {
    case CgroupLayout::v2:
      return "v2";
    case CgroupLayout::v1:
      return "v1";
    case CgroupLayout::hybrid:
      return "hybrid";
  }
  return "v2";
}

std::optional<CgroupLayout> parse_cgroup_layout(std::string_view text) noexcept {
  for (const auto layout : {CgroupLayout::v2, CgroupLayout::v1, CgroupLayout::hybrid}) {
    if (text == to_string(layout)) return layout;
  }
  return std::nullopt;
}

}  // namespace benchrun::vm
