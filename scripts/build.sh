#!/usr/bin/env bash
# Configures and builds one CMake preset: release unless BENCHRUN_PRESET names another (debug-asan, fuzz).
# Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

preset=${BENCHRUN_PRESET:-release}
if [[ ! -f build/$preset/build.ninja ]]; then
  cmake --preset "$preset" >/dev/null
fi
cmake --build --preset "$preset" -j "$(nproc)"
