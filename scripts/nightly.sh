#!/usr/bin/env bash
# The nightly job: runs each chosen suite, files the run in a history folder, compares it with the last good
# baseline, writes the trend page, and exits 1 when a suite regressed.
#
#   scripts/nightly.sh [--suites startup,...] [--history DIR] [--backends LIST] [--runs N] [--last N]
#                      [--pin RUN] [--threshold PCT] [-- BENCHRUN_ARGS...]
#
# History layout (read by `benchrun baseline` and `benchrun trend`, see reports/history.hpp):
#   DIR/<UTC timestamp>-<suite>/    one run, e.g. 20261202T020000Z-startup; names sort by time
#       report.json, report.html,    what `benchrun --suite <suite> --out <run>` wrote
#       samples.jsonl
#       benchrun.log                 its stdout and stderr
#       comparison.txt               `benchrun compare BASELINE CURRENT`, or why nothing was compared
#       baseline                     the id of the run it was compared with (absent on a first run)
#       verdict                      good | regressed | failed, written last
#   DIR/pinned-baseline-<suite>      the id of the run every later run of <suite> is compared with
#   DIR/trend.html                   each metric's median over the last --last runs of each suite
# The baseline of a run is the pinned run of its suite if any, else the newest run of its suite whose verdict
# is good. The first run of a suite has none: it is filed as good. Pin with --pin RUN (or
# `benchrun baseline DIR --pin RUN`); unpin by removing DIR/pinned-baseline-<suite>.
# Every file is written to a temp file and renamed; nothing in the history is ever deleted.
#
# Exit codes: 0 every suite ran and none regressed; 1 a suite regressed; 2 bad usage or an unusable history
# folder (one line on stderr, nothing run); 3 a suite failed to run (its verdict is failed).
# BENCHRUN names the benchrun executable to use; without it the build (scripts/build.sh) provides one.
set -euo pipefail

usage_error() {
  echo "nightly.sh: $*" >&2
  exit 2
}

suites=startup
history=history
backends=
runs=
last=30
pin=
threshold=
benchrun_args=()
while (($#)); do
  case $1 in
    --suites | --history | --backends | --runs | --last | --pin | --threshold)
      (($# >= 2)) || usage_error "$1 needs a value (see $0 --help)"
      ;;&
    --suites) suites=$2 ;;
    --history) history=$2 ;;
    --backends) backends=$2 ;;
    --runs) runs=$2 ;;
    --last) last=$2 ;;
    --pin) pin=$2 ;;
    --threshold) threshold=$2 ;;
    --)
      shift
      benchrun_args=("$@")
      break
      ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
      exit 0
      ;;
    *) usage_error "unknown option '$1' (see $0 --help)" ;;
  esac
  shift 2
done

[[ -z $runs || $runs =~ ^[1-9][0-9]*$ ]] || usage_error "--runs '$runs': give a whole number of 1 or more"
[[ $last =~ ^[1-9][0-9]*$ ]] || usage_error "--last '$last': give a whole number of 1 or more"
IFS=, read -r -a suite_list <<<"$suites"
((${#suite_list[@]})) || usage_error "--suites '$suites': name at least one suite, e.g. startup"
for suite in "${suite_list[@]}"; do
  [[ $suite =~ ^[A-Za-z0-9_-]+$ ]] || usage_error "--suites '$suites': '$suite' is no suite name"
done

# The history must take new files: try one (root writes past permissions, not past a read-only mount).
mkdir -p -- "$history" 2>/dev/null || usage_error "cannot create the history folder '$history': choose a writable one"
probe=$(mktemp -p "$history" .nightly-probe.XXXXXX 2>/dev/null) ||
  usage_error "cannot write to the history folder '$history': choose a writable one"
rm -f -- "$probe"

if [[ -z ${BENCHRUN:-} ]]; then
  root=$(cd "$(dirname "$0")/.." && pwd)
  "$root/scripts/build.sh" >/dev/null
  BENCHRUN=$root/build/${BENCHRUN_PRESET:-release}/harness/benchrun
fi

# benchrun refuses bad input with one line and exit 2; say which step and stop with the same code.
checked_benchrun() {
  local output status=0
  output=$("$BENCHRUN" "$@" 2>&1) || status=$?
  if ((status != 0)); then
    echo "nightly.sh: ${output##*$'\n'}" >&2
    exit 2
  fi
  printf '%s' "$output"
}

# write_atomically FILE: stdin into FILE through a temp file in the same folder, renamed into place.
write_atomically() {
  local temp
  temp=$(mktemp -p "$(dirname -- "$1")" ".$(basename -- "$1").XXXXXX")
  cat >"$temp"
  mv -f -- "$temp" "$1"
}

if [[ -n $pin ]]; then
  checked_benchrun baseline "$history" --pin "$pin" >/dev/null
fi
# Every baseline is chosen before anything is measured: a pin that cannot serve stops the night at once.
declare -A baseline_of
for suite in "${suite_list[@]}"; do
  baseline_of[$suite]=$(checked_benchrun baseline "$history" --suite "$suite")
done

suite_flags=()
[[ -z $backends ]] || suite_flags+=(--backends "$backends")
[[ -z $runs ]] || suite_flags+=(--runs "$runs")
compare_flags=()
[[ -z $threshold ]] || compare_flags+=(--threshold "$threshold")

# A new run folder of suite $1, named by the time it starts; a run of the same suite started within the same
# second waits for the next one.
new_run_dir() {
  local dir
  for _ in 1 2 3; do
    dir=$history/$(date -u +%Y%m%dT%H%M%SZ)-$1
    if mkdir -- "$dir" 2>/dev/null; then
      printf '%s' "$dir"
      return 0
    fi
    sleep 1
  done
  echo "nightly.sh: cannot create a run folder for $1 in '$history' (last tried: $dir)" >&2
  return 1
}

regressed=0
failed=0
for suite in "${suite_list[@]}"; do
  run_dir=$(new_run_dir "$suite") || exit 3
  baseline=${baseline_of[$suite]}
  verdict=good
  if ! "$BENCHRUN" --suite "$suite" "${suite_flags[@]}" --out "$run_dir" "${benchrun_args[@]}" \
    >"$run_dir/benchrun.log" 2>&1; then
    verdict=failed
    echo "benchrun --suite $suite failed: see $run_dir/benchrun.log" | write_atomically "$run_dir/comparison.txt"
  elif [[ -z $baseline ]]; then
    echo "first run of $suite in this history: no baseline to compare with, filed as good" |
      write_atomically "$run_dir/comparison.txt"
  else
    printf '%s\n' "$baseline" | write_atomically "$run_dir/baseline"
    comparison=$(mktemp -p "$run_dir" .comparison.txt.XXXXXX)
    compare_status=0
    # Each further output of compare is one more flag here, e.g. --json "$run_dir/comparison.json".
    "$BENCHRUN" compare "$history/$baseline/report.json" "$run_dir/report.json" "${compare_flags[@]}" \
      >"$comparison" 2>&1 || compare_status=$?
    case $compare_status in
      0) ;;
      1) verdict=regressed ;;
      # Not comparable (e.g. the suite's cases changed): this run is filed as good and becomes the baseline.
      *) echo "not comparable with $baseline: filed as good" >>"$comparison" ;;
    esac
    mv -f -- "$comparison" "$run_dir/comparison.txt"
  fi
  printf '%s\n' "$verdict" | write_atomically "$run_dir/verdict"
  echo "$suite: $verdict (baseline: ${baseline:-none}): $run_dir"
  [[ $verdict != regressed ]] || cat -- "$run_dir/comparison.txt"
  [[ $verdict != regressed ]] || regressed=1
  [[ $verdict != failed ]] || failed=1
done

"$BENCHRUN" trend "$history" --html "$history/trend.html" --last "$last" || failed=1

if ((failed)); then exit 3; fi
exit "$regressed"
