// Whether a process of this pid exists: how a sweep tells a killed run's leftovers from a live run's.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cerrno>

namespace benchrun::sys {

// True while `pid` names a process (EPERM: one we may not signal still exists). A recycled pid reads as alive:
// a leftover is then kept until a later sweep, never a live run's taken.
inline bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

}  // namespace benchrun::sys
