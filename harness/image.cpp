#include "harness/image.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "harness/cli.hpp"

namespace benchrun::harness {

std::vector<std::string> image_workloads(const ImageChoice& image) {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(image.rootfs() / "bench/bin", ignored)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void require_image(const ImageChoice& image, const std::string& workload) {
  if (!std::filesystem::exists(image.rootfs() / "sbin/benchinit")) {
    throw UsageError(fmt::format("image '{}' not found at {}: build it with scripts/build-image.sh", image.name,
                                 image.dir().string()));
  }
  // A program by its path in the image (a tool the image builder added: /usr/bin/stress-ng).
  if (workload.starts_with('/')) {
    if (std::filesystem::exists(image.rootfs() / workload.substr(1))) return;
    throw UsageError(
        fmt::format("program '{}' is not in image '{}': build an image with it "
                    "(scripts/build-image.sh --add {}) and pass --image",
                    workload, image.name, workload));
  }
  if (workload.find('/') != std::string::npos || !std::filesystem::exists(image.rootfs() / "bench/bin" / workload)) {
    throw UsageError(fmt::format("workload '{}' is not in image '{}': choose one of {}", workload, image.name,
                                 fmt::join(image_workloads(image), ", ")));
  }
}

}  // namespace benchrun::harness
