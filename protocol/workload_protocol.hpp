// The workload protocol, the one place its words are spelled: benchinit (inside every instance) prints
// `BENCHRUN READY` just before it starts the workload, and `BENCHRUN RESULT {json}` once the workload was
// reaped, each alone on its line. Plain constexpr char arrays, no includes: benchinit is a static, libc-only
// program, and the host side (harness/workload_protocol.hpp) takes the same bytes.
// Shell scripts that match these lines keep their own literal and name this header next to it.
#pragma once

namespace benchrun::protocol {

// The whole line, once the instance is up: time to ready is measured to its arrival.
inline constexpr char ready_line[] = "BENCHRUN READY";
// The start of the last line; a JSON object follows: {"exit_code","signal","wall_ns","user_us","sys_us",
// "max_rss_kb"}.
inline constexpr char result_prefix[] = "BENCHRUN RESULT ";

}  // namespace benchrun::protocol
