#!/bin/sh
# Runs INSIDE a guest booted with benchrun.cgroup=v2 (image runtime-tests, see CMakeLists.txt): the
# runtime's cgroup integration tests against real cgroup v2, then the startup suite of the native and
# container backends (the CLONE_INTO_CGROUP path), both writing under /results, which the host unpacks.
# Usage: guest_v2_pass.sh TEST_BINARY GTEST_FILTER STARTUP_RUNS
# Exit: the tests' status, else the suite's.
set -u
test_binary=$1
filter=$2
runs=$3

echo "guest: $(uname -r), /sys/fs/cgroup is $(stat -f -c %T /sys/fs/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
mkdir -p /results/startup

# The containers of the tests boot the nested default image.
BENCHRUN_IMAGE_DIR=/images/default "$test_binary" --gtest_filter="$filter" \
  --gtest_output=json:/results/runtime_integration_test.json
tests=$?
echo "guest: runtime tests exited $tests"

benchrun --suite startup --backends native,container --runs "$runs" --images-dir /images --image default \
  --out /results/startup
suite=$?
echo "guest: startup suite exited $suite"

if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$suite"
