#!/usr/bin/env bash
# Start-to-exit time of one container, benchrun's own runtime against its peers crun and runc and against
# the floor (bench/floor/container_floor: the bare kernel work of one container), measured side by side in
# one hyperfine run. All get the same container: the image's rootfs read-only, the namespaces pid, mount,
# uts, ipc, network and cgroup, memory 64M, pids 16, and the process `/sbin/benchinit /bench/bin/hello`.
# crun and runc read one OCI bundle written by oci-bundle (bench/oci_bundle: the config benchrun's oci:crun
# and oci:runc backends run, with the default seccomp filter and Docker's capabilities as ours; its root is
# the image's rootfs itself, read-only, where benchrun's own runs get a writable layer); benchrun and the
# floor get the same settings on their command lines.
#
# Each command is measured twice: warm (runs back to back) and cold (each run after 0.1 s idle, hyperfine
# --prepare 'sleep 0.1'). Cold matters on cgroup v1: the first attach to a cgroup after ~20 ms without one
# waits for an RCU grace period (~10 ms here), which back-to-back runs hide.
#
# Prints each command's medians, warm and cold, and the ratios benchrun/floor and benchrun/crun.
# Everything it creates (bundle, containers, cgroups) is removed when it ends, however it ends.
set -euo pipefail

script_path=$(realpath "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
readonly script_path repo_root
readonly memory_limit_bytes=$((64 * 1024 * 1024)) pids_limit=16
readonly workload_args=(/sbin/benchinit /bench/bin/hello)

runs=30
warmup=3
image_dir=$repo_root/images/default
export_json=
with_benchrun=1
floor_binary=${FLOOR_BINARY:-$repo_root/build/release/bench/floor/container_floor}
bundle_tool=${OCI_BUNDLE:-$repo_root/build/release/bench/oci_bundle/oci-bundle}
benchrun_cmd=${BENCHRUN_CMD:-"$repo_root/build/release/harness/benchrun run --backend container --memory 64M --pids 16 -- /bench/bin/hello"}

die() {
  echo "compare-runtimes.sh: $*" >&2
  exit 1
}

usage() {
  cat <<EOF
usage: compare-runtimes.sh [--runs N] [--warmup N] [--image DIR] [--export-json FILE] [--no-benchrun]
  --runs N            measured runs per command (default 30)
  --warmup N          unmeasured runs first (default 3)
  --image DIR         image whose rootfs to run (default images/default)
  --export-json FILE  keep hyperfine's JSON results there
  --no-benchrun       compare crun and runc only (and the floor)
The benchrun command is \$BENCHRUN_CMD, by default:
  $benchrun_cmd
The floor is \$FLOOR_BINARY (default build/release/bench/floor/container_floor), skipped if not built.
The bundle is written by \$OCI_BUNDLE (default build/release/bench/oci_bundle/oci-bundle).
EOF
}

while (($#)); do
  case $1 in
    --runs | --warmup | --image | --export-json)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --runs) runs=$2 ;;
        --warmup) warmup=$2 ;;
        --image) image_dir=$2 ;;
        --export-json) export_json=$(realpath -m "$2") ;;
      esac
      shift 2
      ;;
    --no-benchrun)
      with_benchrun=0
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
done

[[ $runs =~ ^[0-9]+$ && $runs -ge 2 ]] || die "--runs must be a whole number of at least 2"
[[ $warmup =~ ^[0-9]+$ ]] || die "--warmup must be a whole number"
((runs >= 30)) || echo "compare-runtimes.sh: warning: medians of fewer than 30 runs are noisy" >&2
[[ $(id -u) -eq 0 ]] || die "must run as root (containers with cgroup limits): sudo $0"
for tool in crun runc hyperfine unshare python3; do
  command -v "$tool" >/dev/null || die "$tool not found: scripts/setup.sh"
done
rootfs=$(realpath -m "$image_dir/rootfs")
[[ -x $rootfs/sbin/benchinit ]] || die "image missing: run scripts/build-image.sh (looked in $image_dir)"
[[ -x $bundle_tool ]] || die "$bundle_tool not built: cmake --build build/release --target oci-bundle"

benchrun_binary=${benchrun_cmd%% *}
if ((with_benchrun)) && [[ ! -x $benchrun_binary ]]; then
  echo "compare-runtimes.sh: $benchrun_binary not built: measuring crun and runc only" >&2
  with_benchrun=0
fi
with_floor=1
if [[ ! -x $floor_binary ]]; then
  echo "compare-runtimes.sh: $floor_binary not built: measuring without the floor" >&2
  with_floor=0
fi

# --- the runtimes' view of cgroups ------------------------------------------------------------------
# crun 1.8 refuses a hybrid host ("cgroups in hybrid mode not supported") while a cgroup2 tree sits on
# /sys/fs/cgroup/unified. Every command therefore runs in a private mount namespace where a tmpfs hides
# that tree: the host's mounts are untouched, and all three runtimes see the same v1 layout.
hide_unified=0
if [[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs && -d /sys/fs/cgroup/unified &&
  $(stat -f -c %T /sys/fs/cgroup/unified) == cgroup2fs ]]; then
  hide_unified=1
fi

# Runs "$@" in a private mount namespace, with the unified tree hidden on a hybrid host.
in_runtime_view() {
  # shellcheck disable=SC2016  # $1 and $@ belong to the inner sh
  unshare --mount --propagation private -- sh -c '
    if [ "$1" = 1 ]; then mount -t tmpfs -o size=4k,mode=0555 benchrun-hide-unified /sys/fs/cgroup/unified; fi
    shift
    exec "$@"' sh "$hide_unified" "$@"
}

# --- what is removed at the end ----------------------------------------------------------------------
# Not benchrun-<...>: a benchrun sweep takes a crun or runc container of that name without a state folder
# of benchrun's for a leftover of a killed run, and would delete these mid-measurement.
readonly run_name=cmp-benchrun-$$
readonly crun_id=$run_name-crun runc_id=$run_name-runc
workdir=$(mktemp -d /tmp/benchrun-compare.XXXXXX)
shopt -s nullglob
parents_before=(/sys/fs/cgroup/*/benchrun)
shopt -u nullglob

cleanup() {
  local status=$? dir
  set +e
  in_runtime_view crun delete --force "$crun_id" >/dev/null 2>&1
  in_runtime_view runc delete --force "$runc_id" >/dev/null 2>&1
  # The bundle's cgroup is <hierarchy>/<name>/oci: the runtimes remove the leaf, the parent is ours.
  for dir in /sys/fs/cgroup/*/"$run_name"/oci /sys/fs/cgroup/*/"$run_name"; do [[ -d $dir ]] && rmdir "$dir"; done
  # A floor killed with SIGKILL leaves benchrun-floor-<its pid>; any other it removes itself.
  for dir in /sys/fs/cgroup/*/benchrun-floor-*; do
    [[ -d $dir && ! -d /proc/${dir##*-} ]] && rmdir "$dir"
  done
  # benchrun's own parents, should a killed benchrun have left them: those that were not there before
  # (rmdir leaves any that someone else is using).
  for dir in /sys/fs/cgroup/*/benchrun; do
    [[ -d $dir && " ${parents_before[*]} " != *" $dir "* ]] && rmdir "$dir" 2>/dev/null
  done
  rm -rf -- "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the OCI bundle ---------------------------------------------------------------------------------
bundle=$workdir/bundle
"$bundle_tool" --rootfs "$rootfs" --name "$run_name" --out "$bundle" --memory "$memory_limit_bytes" \
  --pids "$pids_limit" -- "${workload_args[1]}"

commands=()
names=()
if ((with_benchrun)); then
  names+=(benchrun)
  commands+=("$benchrun_cmd")
fi
if ((with_floor)); then
  names+=(floor)
  commands+=("$floor_binary -m $memory_limit_bytes -p $pids_limit $rootfs ${workload_args[*]}")
fi
names+=(crun runc)
commands+=("crun run --bundle $bundle $crun_id" "runc run --bundle $bundle $runc_id")

# --- each command once, checked, before anything is timed ----------------------------------------------
for i in "${!commands[@]}"; do
  read -r -a words <<<"${commands[$i]}"
  if ! output=$(in_runtime_view "${words[@]}" 2>&1); then
    die "${names[$i]} failed: ${commands[$i]}"$'\n'"$output"
  fi
  # The RESULT prefix as spelled in protocol/workload_protocol.hpp.
  if [[ ${names[$i]} != benchrun && $output != *'BENCHRUN RESULT {"exit_code":0,'* ]]; then
    die "${names[$i]}: no successful BENCHRUN RESULT from the workload:"$'\n'"$output"
  fi
done

# --- measure ----------------------------------------------------------------------------------------
# Every command twice in one hyperfine run: warm (back to back; `true` as its preparation, since hyperfine
# takes one per command or one for all) and cold (after 0.1 s idle).
json=${export_json:-$workdir/hyperfine.json}
hyperfine_args=(--shell=none --warmup "$warmup" --runs "$runs" --export-json "$json")
for temperature in warm cold; do
  prepare=true
  [[ $temperature == cold ]] && prepare='sleep 0.1'
  for i in "${!commands[@]}"; do
    hyperfine_args+=(--prepare "$prepare" --command-name "${names[$i]} $temperature" "${commands[$i]}")
  done
done
echo "compare-runtimes.sh: $runs runs (+$warmup warm-up) each of: ${names[*]}; warm and cold"
if ((hide_unified)); then
  echo "compare-runtimes.sh: all commands run in a private mount namespace with a tmpfs over" \
    "/sys/fs/cgroup/unified (crun 1.8 refuses hybrid cgroups otherwise; same view for every runtime)"
fi
in_runtime_view hyperfine "${hyperfine_args[@]}"

python3 - "$json" <<'EOF'
import json
import sys

with open(sys.argv[1]) as stream:
    results = json.load(stream)["results"]
by_name = {result["command"]: result for result in results}
runtimes = list(dict.fromkeys(name.rsplit(" ", 1)[0] for name in by_name))
print()
print(f"{'runtime':<10} {'warm median':>12} {'cold median':>12} {'cold - warm':>12}   (ms; min..max warm | cold)")
for runtime in runtimes:
    warm, cold = by_name[f"{runtime} warm"], by_name[f"{runtime} cold"]
    print(f"{runtime:<10} {warm['median'] * 1e3:>12.2f} {cold['median'] * 1e3:>12.2f} "
          f"{(cold['median'] - warm['median']) * 1e3:>12.2f}   "
          f"({warm['min'] * 1e3:.1f}..{warm['max'] * 1e3:.1f} | {cold['min'] * 1e3:.1f}..{cold['max'] * 1e3:.1f})")
print()
for temperature in ("warm", "cold"):
    median = {runtime: by_name[f"{runtime} {temperature}"]["median"] for runtime in runtimes}
    ratios = [f"{a}/{b} {median[a] / median[b]:.2f}x" for a, b in
              (("benchrun", "floor"), ("benchrun", "crun"), ("floor", "crun"), ("runc", "crun"))
              if a in median and b in median]
    print(f"{temperature}: " + ", ".join(ratios))
EOF
if [[ -n $export_json ]]; then echo "compare-runtimes.sh: hyperfine results in $export_json"; fi
