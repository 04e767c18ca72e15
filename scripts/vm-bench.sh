#!/usr/bin/env bash
# Startup of a guest through libvirt (benchrun's vm/ path, embedded QEMU driver) against plain
# qemu-system-x86_64 with the same arguments: interleaved, N runs each, medians per phase and the ratio of
# the times to BENCHRUN READY (protocol/workload_protocol.hpp). Plus what linking libvirt costs a process start (hyperfine -N).
#
#   scripts/vm-bench.sh [--runs N] [--uri URI] [--build-dir DIR]
#
# KVM figures: run the same on a host with /dev/kvm (the domain type follows the host's capabilities).
# A benchmark, not a test: it prints figures and fails only when something cannot run.
set -euo pipefail

runs=10
uri=""
build_dir=""
source_dir=$(cd "$(dirname "$0")/.." && pwd)
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --uri) uri=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    *) echo "vm-bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
build_dir=${build_dir:-$source_dir/build/release}

if [[ ! -f $source_dir/images/default/vmlinuz || ! -f $source_dir/images/default/initramfs.cpio ]]; then
  echo "vm-bench.sh: image missing: run scripts/build-image.sh" >&2
  exit 1
fi

[[ -f $build_dir/build.ninja ]] || cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target vm_startup_compare vm_link_cost_plain vm_link_cost_libvirt >/dev/null

echo "== guest startup: libvirt vs plain QEMU ($runs interleaved runs each)"
args=(--runs "$runs" --image "$source_dir/images/default")
[[ -n $uri ]] && args+=(--uri "$uri")
"$build_dir/bench/vm_startup_compare" "${args[@]}"

echo
echo "== process start with and without libvirt linked"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 300 "$build_dir/bench/vm_link_cost_plain" "$build_dir/bench/vm_link_cost_libvirt"
else
  echo "hyperfine missing: apt-get install hyperfine" >&2
  exit 1
fi
