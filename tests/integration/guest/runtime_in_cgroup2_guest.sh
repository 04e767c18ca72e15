#!/usr/bin/env bash
# ctest integration.runtime_in_cgroup2_guest: cgroup v2 for real, in CI, on a host that has v1 or hybrid.
# Boots guests of image runtime-tests with benchrun.cgroup=v2 (benchrun run --backend vm --guest-cgroup v2):
#   1. the runtime's cgroup integration tests (limits enforced, stats read back, teardown, the cgroup v2
#      tests) with --gtest_output=json:/results/...;
#   2. benchrun --suite startup --backends native,container (the CLONE_INTO_CGROUP path) into /results.
# Two boots: a guest runs one command from the kernel command line (no spaces); one boot would need a script
# in the image chaining both (build-image.sh --add takes scripts since h1's e428f95), ~8 s less. Fails when a test fails or skips there, when a
# guest never reports (the console's tail is printed), or when a result is missing. The gtest JSON, the
# startup report and each guest's console land in ARTIFACTS/runtime_in_cgroup2_guest/.
# Usage: runtime_in_cgroup2_guest.sh BENCHRUN IMAGES_DIR ARTIFACTS
set -euo pipefail

benchrun=$1
images_dir=$2
artifacts=$3/runtime_in_cgroup2_guest

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Needs root, QEMU and libvirt: a missing one is a failure naming the fix, never a silent skip.
((EUID == 0)) || fail "needs root (libvirt's embedded QEMU driver, cgroups): run ctest as root (scripts/test.sh)"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is missing: scripts/setup.sh installs it"
[[ -f $images_dir/runtime-tests/vmlinuz && -f $images_dir/runtime-tests/initramfs.cpio ]] ||
  fail "image runtime-tests missing in $images_dir: cmake --build build/release --target benchrun_runtime_tests_image"

# What runs in the guest. IoThrottleIsSetForTheRootDisk is left out: the guest's root is a tmpfs, there is
# no disk to throttle. Everything else of limits, stats (StatsReportUsageWhileRunning), teardown, the freezer and v2
# runs, and the devices cgroup (ContainerDevices.*: there its v2 device program).
filter='ContainerLimits.*:ContainerCgroupV2.*:ContainerTeardown.*:ContainerFreezer.*:ContainerDevices.*:-ContainerLimits.IoThrottleIsSetForTheRootDisk'
startup_runs=5
# Per guest, under TCG on 2 busy cores; past it the guest is destroyed (nothing left) and the test fails.
timeout_s=330

rm -rf "$artifacts"
mkdir -p "$artifacts"

# guest NAME CMD ARGS...: one v2 guest running CMD; its console (benchrun --verbose: boot, READY/RESULT and
# the command's output) in NAME.console.log, its /results in results/. Returns benchrun's exit status.
guest() {
  local name=$1
  shift
  local started status=0
  started=$(date +%s)
  "$benchrun" run --backend vm --images-dir "$images_dir" --image runtime-tests --guest-cgroup v2 --memory 1G \
    --cpus 2 --timeout "$timeout_s" --results "$artifacts/results" --verbose -- "$@" \
    >"$artifacts/$name.console.log" 2>&1 || status=$?
  echo "guest $name: $(($(date +%s) - started)) s, benchrun run exited $status"
  return "$status"
}

console_tail() {
  echo "--- last 40 lines of the guest's console ($1):"
  tail -n 40 "$1"
}

pass_started=$(date +%s)
tests_status=0
guest runtime-tests /usr/bin/env BENCHRUN_IMAGE_DIR=/images/default /usr/bin/runtime_integration_test \
  "--gtest_filter=$filter" --gtest_output=json:/results/runtime_integration_test.json || tests_status=$?
suite_status=0
guest startup /usr/bin/benchrun --suite startup --backends native,container --runs "$startup_runs" \
  --images-dir /images --image default --out /results/startup || suite_status=$?
echo "v2 pass: $(($(date +%s) - pass_started)) s for both guests"

gtest_json=$artifacts/results/runtime_integration_test.json
if [[ ! -f $gtest_json ]]; then
  console_tail "$artifacts/runtime-tests.console.log"
  fail "the guest never reported the runtime tests ($gtest_json missing, benchrun run exited $tests_status)"
fi
# Every selected test ran and passed: a skip in the guest is a failure too (v2 is what it is there for).
if ! python3 - "$gtest_json" <<'PY'; then
import json, sys
report = json.load(open(sys.argv[1]))
bad = []
count = 0
for suite in report.get("testsuites", []):
    for test in suite.get("testsuite", []):
        count += 1
        name = f"{suite['name']}.{test['name']}"
        if test.get("result") == "SKIPPED" or test.get("status") != "RUN":
            bad.append(f"{name}: skipped")
        elif test.get("failures"):
            bad.append(f"{name}: " + test["failures"][0]["failure"].splitlines()[0])
print(f"runtime tests in the v2 guest: {count} ran, {len(bad)} failed or skipped")
for line in bad:
    print("  " + line)
sys.exit(1 if bad or count == 0 else 0)
PY
  console_tail "$artifacts/runtime-tests.console.log"
  fail "runtime tests in the v2 guest: see above and $gtest_json"
fi
((tests_status == 0)) || {
  console_tail "$artifacts/runtime-tests.console.log"
  fail "the runtime tests' guest: benchrun run exited $tests_status"
}

report=$artifacts/results/startup/report.json
if [[ ! -f $report ]]; then
  console_tail "$artifacts/startup.console.log"
  fail "the startup suite in the guest left no report ($report missing, benchrun run exited $suite_status)"
fi
# The figures: how the container joined its cgroup, and the medians per backend.
python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for backend in report.get("backends", []):
    details = backend.get("details", {})
    print(f"startup in the v2 guest: backend {backend['name']}: cgroup_join={details.get('cgroup_join', '-')}")
for summary in report.get("summaries", []):
    stats = summary.get("summary", {})
    ratio = summary.get("ratio_to_native")
    print(f"  {summary['backend']} {summary['case_name']} {summary['start_mode']} {summary['metric']}: "
          f"median {stats.get('median')} {summary['unit']}" + (f" ({ratio:.2f}x native)" if ratio else ""))
PY
((suite_status == 0)) || {
  console_tail "$artifacts/startup.console.log"
  fail "the startup suite's guest: benchrun run exited $suite_status"
}
echo "PASS: runtime tests and the startup suite on cgroup v2 in a guest"
