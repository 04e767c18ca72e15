// Helpers for the HTML and chart tests.
#pragma once

#include <cstddef>
#include <string_view>

namespace benchrun::reports::html::testing {

// How often `needle` occurs in `text` (not overlapping).
inline std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

}  // namespace benchrun::reports::html::testing
