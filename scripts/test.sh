#!/usr/bin/env bash
# Passes the tests in one command: installs what is missing, builds everything (image included) and runs
# every test: unit and integration (as root, against the real kernel, QEMU and libvirt), lint (formatting),
# and the fuzz targets of the parsers (tests/fuzz, their own clang build, 20 s each).
# Extra arguments go to both ctest runs, e.g. scripts/test.sh -L unit
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
BENCHRUN_PRESET=fuzz scripts/build.sh

status=0
ctest --preset "${BENCHRUN_PRESET:-release}" "$@" || status=$?
ctest --preset fuzz "$@" || status=$?
exit "$status"
