// The startup suite's measurement of one instance: launch -> READY -> RESULT -> exit -> teardown, timed on the
// host with CLOCK_MONOTONIC, plus the backend's own phases. Same code for every backend.
#pragma once

#include "harness/backend.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// Measures one instance. A failed instance (crash, timeout, OOM, setup error) comes back as a Sample with
// ok=false and its reason; only Interrupted escapes, after the instance was torn down.
reports::Sample measure_startup(Backend& backend, const InstanceSpec& spec, std::chrono::milliseconds timeout);

}  // namespace benchrun::harness
