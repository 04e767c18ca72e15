// Console bytes are whatever the instance (or SeaBIOS, or a crashing kernel) sends. The splitter must give
// lines free of line ends and escapes, and the same lines however the bytes were cut into reads.
// Input: one byte choosing the read size, then the console bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sys/console_lines.hpp"

namespace {

using benchrun::sys::ConsoleLine;
using benchrun::sys::ConsoleLineSplitter;

// Every line the splitter yields for `bytes` fed `read_size` bytes at a time, the unfinished last one included.
std::deque<ConsoleLine> split(std::string_view bytes, std::size_t read_size) {
  ConsoleLineSplitter splitter;
  std::deque<ConsoleLine> lines;
  benchrun::sys::MonotonicNs at = 0;
  for (std::size_t offset = 0; offset < bytes.size(); offset += read_size) {
    splitter.feed(bytes.substr(offset, read_size), ++at, lines);
  }
  if (auto last = splitter.flush(++at)) lines.push_back(std::move(*last));
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t read_size = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  const auto whole = split(bytes, bytes.size() + 1);
  const auto in_reads = split(bytes, read_size);
  if (whole.size() != in_reads.size()) std::abort();
  benchrun::sys::MonotonicNs previous_at = 0;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].text != in_reads[i].text) std::abort();
    if (whole[i].text.find_first_of("\r\n\x1b") != std::string::npos) std::abort();
    if (in_reads[i].at < previous_at) std::abort();  // stamped in arrival order
    previous_at = in_reads[i].at;
  }
  return 0;
}
