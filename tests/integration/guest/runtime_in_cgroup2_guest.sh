#!/usr/bin/env bash
# ctest integration.runtime_in_cgroup2_guest: cgroup v2 for real, in CI, on a host that has v1 or hybrid.
# Boots ONE guest of image runtime-tests with benchrun.cgroup=v2 (benchrun run --backend vm) that runs
# guest_v2_pass.sh: the runtime's cgroup integration tests (limits, stats, teardown, the cgroup v2 tests)
# and the startup suite of the native and container backends. Fails when a test fails or skips there, when
# the guest never reports, or when a result is missing; the gtest JSON, the startup report and the guest's
# console land in ARTIFACTS/runtime_in_cgroup2_guest/.
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

# What runs in the guest. IoThrottleIsSetForTheRootDisk is left out: the guest's root is a tmpfs, no disk to
# throttle. Everything else of limits, stats (StatsReportUsageWhileRunning), teardown and cgroup v2 runs.
filter='ContainerLimits.*:ContainerCgroupV2.*:ContainerTeardown.*:-ContainerLimits.IoThrottleIsSetForTheRootDisk'
startup_runs=5
# Under TCG on 2 busy cores the pass takes 3-6 minutes; past this the guest is destroyed and the test fails.
timeout_s=600

rm -rf "$artifacts"
mkdir -p "$artifacts"
console=$artifacts/console.log
results=$artifacts/results

started=$(date +%s)
status=0
"$benchrun" run --backend vm --images-dir "$images_dir" --image runtime-tests --guest-cgroup v2 --memory 1G \
  --cpus 2 --timeout "$timeout_s" --results "$results" --verbose -- \
  /usr/bin/guest_v2_pass.sh /usr/bin/runtime_integration_test "$filter" "$startup_runs" >"$console" 2>&1 ||
  status=$?
echo "guest pass: $(($(date +%s) - started)) s, benchrun run exited $status (console: $console)"

console_tail() {
  echo "--- last 40 lines of the guest's console ($console):"
  tail -n 40 "$console"
}

gtest_json=$results/runtime_integration_test.json
if [[ ! -f $gtest_json ]]; then
  console_tail
  fail "the guest never reported the runtime tests ($gtest_json missing, benchrun run exited $status)"
fi
# Every selected test ran and passed: a skip in the guest is a failure too (v2 is what it is there for).
python3 - "$gtest_json" <<'PY' || { console_tail; fail "runtime tests in the v2 guest: see above and $gtest_json"; }
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

report=$results/startup/report.json
[[ -f $report ]] || {
  console_tail
  fail "the startup suite in the guest left no report ($report missing)"
}
# The figures for the lead: how the container joined its cgroup, and the medians per backend.
python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for backend in report.get("backends", []):
    details = backend.get("details", {})
    print(f"startup in the v2 guest: backend {backend.get('name')}: cgroup_join={details.get('cgroup_join', '-')} "
          f"cgroup_mode={details.get('cgroup_mode', '-')}")
for summary in report.get("summaries", []):
    print(f"  {summary.get('backend')} {summary.get('case', '')} {summary.get('metric')}: "
          f"median {summary.get('median')} {summary.get('unit', '')}")
PY
((status == 0)) || {
  console_tail
  fail "benchrun run exited $status"
}
echo "PASS: runtime tests and the startup suite on cgroup v2 in a guest"
