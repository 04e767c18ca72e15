// A guest's or container's console is not ours: any line it prints reaches the protocol's judges.
// READY and RESULT are told apart, and a RESULT line gives a result or a sys::Error, never a crash, a
// sanitizer finding or another kind of exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "harness/workload_protocol.hpp"
#include "sys/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace benchrun::harness;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const bool ready = is_ready_line(line);
  const bool result = is_result_line(line);
  if (ready && result) std::abort();  // one line is never both
  if (!result) return 0;
  try {
    (void)describe(std::optional(parse_result_line(line)));
  } catch (const benchrun::sys::Error&) {
  }
  return 0;
}
