// The isolation probe's words (bench/workloads/probe.cpp speaks them, harness/suites/isolation*.cpp reads
// them): one console line per observation, `BENCHRUN PROBE <check> <value> <detail...>`, printed before the
// probe exits. Plain constexpr values, no includes: the probe is a static, libc-only program.
#pragma once

namespace benchrun::protocol {

inline constexpr char probe_prefix[] = "BENCHRUN PROBE ";

// The values of a check the probe judges itself: the instance is kept from it, or it is not.
inline constexpr char probe_protected[] = "protected";
inline constexpr char probe_exposed[] = "exposed";
// The values of a call the probe tried (mount, module load, one of the seccomp filter's calls).
inline constexpr char probe_refused[] = "refused";
inline constexpr char probe_allowed[] = "allowed";
// A call this kernel does not have (ENOSYS: e.g. finit_module without module support): nothing to judge.
inline constexpr char probe_unsupported[] = "unsupported";

// The probe's flags: what the host tells it to compare against (the suite sets them, see isolation.hpp).
inline constexpr char probe_host_pid[] = "--host-pid";    // a host process and its comm: must be invisible
inline constexpr char probe_host_comm[] = "--host-comm";  //
inline constexpr char probe_hostname[] = "--hostname";    // the host's hostname: must differ
inline constexpr char probe_shm_key[] = "--shm-key";      // a SysV shm segment's key the host created
inline constexpr char probe_host_net[] = "--host-net";    // name=mac,... of the host's interfaces (no lo)
inline constexpr char probe_host_root[] = "--host-root";  // dev:ino of the host's "/"
inline constexpr char probe_host_ns[] = "--host-ns";      // user=INO,cgroup=INO: the host's namespaces
inline constexpr char probe_boot_id[] = "--boot-id";      // the host kernel's boot id: another = another kernel
inline constexpr char probe_masked[] = "--masked";        // paths,... that must be masked
inline constexpr char probe_readonly[] = "--readonly";    // paths,... that must be read-only

}  // namespace benchrun::protocol
