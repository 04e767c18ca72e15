// benchrun's version, from the CMake project.
#pragma once

namespace benchrun::harness {

inline constexpr const char* version = BENCHRUN_VERSION;

}  // namespace benchrun::harness
