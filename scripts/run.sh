#!/usr/bin/env bash
# The main job in one command: installs what is missing, builds benchrun and the image, then runs
# benchrun with the given arguments, e.g. scripts/run.sh --suite startup
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh >/dev/null
exec build/"${BENCHRUN_PRESET:-release}"/harness/benchrun "$@"
