#!/usr/bin/env bash
# How far our overhead workloads' native figures are from independent tools run the same way on this machine,
# and how far our containers are from native on cpu, memory and syscalls with seccomp off (Felter et al. 2015
# found Docker within ~2 % of native there). A benchmark, not a test: it prints figures, it judges nothing.
#
#   cpu       ours: cpu_int_events_per_s (sysbench's prime loop, limit 10000, one event per pass)
#             sysbench cpu --threads=1 --cpu-max-prime=10000: events per second
#   memory    ours: STREAM copy/scale/add/triad over three arrays; the combined rate (all bytes of the four
#             kernels over their summed times)
#             stress-ng --stream 1 (a STREAM variant): memory read + write rate, MB/s
#   syscalls  ours: syscall_getppid_ns;  perf bench syscall basic (perf's getppid loop): usecs/op x 1000
#
# Each pair is taken ROUNDS times alternately (ours, theirs, ours, ...) and the medians compared.
# Usage: bench/overhead-accuracy.sh [--rounds N] [--out DIR] [--full]
set -euo pipefail

script_path=$(realpath "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
readonly script_path repo_root
benchrun=${BENCHRUN:-$repo_root/build/release/harness/benchrun}
rounds=5
out_dir=
full=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --out) out_dir=$2; shift 2 ;;
    --full) full=(--full); shift ;;
    *) echo "usage: $0 [--rounds N] [--out DIR] [--full]" >&2; exit 2 ;;
  esac
done
for tool in sysbench stress-ng perf python3; do
  command -v "$tool" >/dev/null || { echo "overhead-accuracy.sh: $tool is missing: run scripts/setup.sh" >&2; exit 2; }
done
[[ -x $benchrun ]] || { echo "overhead-accuracy.sh: no $benchrun: build first (cmake --build build/release)" >&2; exit 2; }
if [[ -z $out_dir ]]; then out_dir=$(mktemp -d /var/tmp/benchrun-accuracy-XXXXXX); fi
mkdir -p "$out_dir"
echo "figures in $out_dir" >&2

# The figure METRIC of backend native (or $3) from a report.
figure() {
  python3 - "$1" "$2" "${3:-native}" <<'EOF'
import json, statistics, sys
report = json.load(open(sys.argv[1]))
metric, backend = sys.argv[2], sys.argv[3]
values = [s["metrics"][metric] for s in report["samples"]
          if s["ok"] and not s.get("warmup") and s["backend"] == backend and metric in s["metrics"]]
if metric == "stream_combined_mb_s":
    values = []
    for s in report["samples"]:
        if s["ok"] and not s.get("warmup") and s["backend"] == backend and "stream_triad_mb_s" in s["metrics"]:
            m = s["metrics"]
            moved = {"copy": 2, "scale": 2, "add": 3, "triad": 3}
            seconds = sum(moved[k] / m[f"stream_{k}_mb_s"] for k in moved)
            values.append(sum(moved.values()) / seconds)
print(statistics.median(values))
EOF
}

ours() {  # GROUP METRIC ROUND
  local dir=$out_dir/ours-$1-$3
  "$benchrun" --suite overhead --backends native --groups "$1" --runs 1 --warmup 0 -q "${full[@]}" --out "$dir" \
    >/dev/null
  figure "$dir/report.json" "$2"
}

median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

declare -a cpu_ours cpu_theirs mem_ours mem_theirs sys_ours sys_theirs
for ((round = 0; round < rounds; round++)); do
  cpu_ours+=("$(ours cpu cpu_int_events_per_s "$round")")
  cpu_theirs+=("$(sysbench cpu --threads=1 --cpu-max-prime=10000 --events=1000 --time=0 run |
    awk '/events per second/ {print $4}')")
  mem_ours+=("$(ours memory_bandwidth stream_combined_mb_s "$round")")
  mem_theirs+=("$(stress-ng --stream 1 --stream-ops 20 --stream-l3-size 32M --metrics 2>&1 |
    awk '/memory read rate/ {read = $5} /memory write rate/ {write = $5} END {print read + write}')")
  sys_ours+=("$(ours syscalls syscall_getppid_ns "$round")")
  sys_theirs+=("$(perf bench syscall basic --loop 300000 | awk '/usecs\/op/ {print $1 * 1000}')")
done

report_pair() {  # NAME UNIT OURS THEIRS
  python3 -c 'import sys; n,u,a,b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]);
print(f"{n:<10} ours {a:12.1f} {u:<9} tool {b:12.1f} {u:<9} ours/tool {a / b:6.3f} ({(a / b - 1) * 100:+.1f} %)")' "$@"
}
echo "== native: ours against an independent tool (medians of $rounds alternate runs)"
report_pair cpu events/s "$(median "${cpu_ours[@]}")" "$(median "${cpu_theirs[@]}")"
report_pair memory MB/s "$(median "${mem_ours[@]}")" "$(median "${mem_theirs[@]}")"
report_pair syscalls ns "$(median "${sys_ours[@]}")" "$(median "${sys_theirs[@]}")"

echo "== container against native, seccomp off (one interleaved run, --runs $rounds)"
dir=$out_dir/container
"$benchrun" --suite overhead --backends native,container --groups cpu,memory_bandwidth,syscalls --seccomp off \
  --runs "$rounds" --warmup 1 -q "${full[@]}" --out "$dir" >/dev/null
for metric in cpu_int_events_per_s cpu_float_mflops stream_triad_mb_s stream_combined_mb_s syscall_getppid_ns \
  syscall_fstat_ns; do
  native=$(figure "$dir/report.json" "$metric" native)
  container=$(figure "$dir/report.json" "$metric" container)
  report_pair "$metric" "" "$container" "$native" | sed 's/ours/container/; s/tool/native/; s/ours\/tool/ratio/'
done
