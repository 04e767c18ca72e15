// The line the emulator wrapper writes on its stderr just before it execs QEMU, shared by the wrapper
// (qemu_wrapper/main.cpp) and the host that reads it back from the domain's log (emulator_wrapper.cpp).
#pragma once

namespace benchrun::vm {

// Followed by CLOCK_MONOTONIC in nanoseconds and a newline.
inline constexpr char qemu_exec_stamp_prefix[] = "benchrun: exec qemu at monotonic_ns=";

}  // namespace benchrun::vm
