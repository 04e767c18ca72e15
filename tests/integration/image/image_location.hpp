// Where the tests find the built image: $BENCHRUN_IMAGE_DIR, else <source>/images/default.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace benchrun::testing {

inline std::filesystem::path image_dir() {
  if (const char* from_env = std::getenv("BENCHRUN_IMAGE_DIR"); from_env != nullptr && *from_env != '\0') {
    return from_env;
  }
  return std::filesystem::path(BENCHRUN_SOURCE_DIR) / "images" / "default";
}

// The message every test gives when there is nothing to test.
inline constexpr const char* image_missing_hint = "image missing: run scripts/build-image.sh";

}  // namespace benchrun::testing
