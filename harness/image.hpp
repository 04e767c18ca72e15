// Checks that the image a run needs is there, before anything is launched.
#pragma once

#include <string>
#include <vector>

#include "harness/options.hpp"

namespace benchrun::harness {

// Workload names in the image (its /bench/bin), sorted.
std::vector<std::string> image_workloads(const ImageChoice& image);

// Throws UsageError naming the fix when the image, its benchinit or the workload is missing.
void require_image(const ImageChoice& image, const std::string& workload);

}  // namespace benchrun::harness
