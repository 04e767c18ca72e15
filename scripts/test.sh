#!/usr/bin/env bash
# Passes the tests in one command: installs what is missing, builds everything (image included) and runs
# every test, unit and integration (as root, against the real kernel, QEMU and libvirt).
# Extra arguments go to ctest, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
ctest --preset "${BENCHRUN_PRESET:-release}" "$@"
