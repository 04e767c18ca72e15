#!/usr/bin/env bash
# Installs every Debian package benchrun needs to build, test and run. Idempotent: when everything is
# present it only checks and returns within a second or two.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries
  libvirt-dev nlohmann-json3-dev libboost-dev libcli11-dev libfmt-dev
  libseccomp-dev libcap-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-jsonschema hyperfine shellcheck
  # independent readers of our outputs: headless Chromium renders report.html; Google Benchmark's
  # compare.py (with SciPy) reads the gbench export; the OCI runtime-spec schema checks our config.json
  chromium fonts-dejavu-core libbenchmark-tools python3-scipy golang-github-opencontainers-specs-dev
  # the fuzz targets (clang with libFuzzer, from libclang-rt-14-dev) and the lint checks
  clang libclang-rt-14-dev clang-format clang-tidy
  # the image and the backends
  busybox-static cpio e2fsprogs iproute2 util-linux procps kmod
  # in the guest image (scripts/build-image.sh --add): load generators run inside guests and their containers
  stress-ng fio
  crun runc
  qemu-system-x86 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
  linux-image-cloud-amd64
  # the overhead suite's independent tools (tests compare our figures with theirs; --tool runs them)
  linux-perf stress-ng fio
  # bench/overhead-accuracy.sh and its test: the same work as our cpu and STREAM figures (sysbench's prime loop,
  # likwid-bench's scalar copy and stream triad)
  sysbench likwid
)

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: must run as root (it installs Debian packages): sudo $0" >&2
  exit 2
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The kernel package pulls initramfs-tools hooks that are slow and useless here; benchrun boots the
  # kernel directly with its own initramfs.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libvirt's embedded QEMU driver runs QEMU as the user and group libvirt was built with (Debian's
# libvirt-daemon-system would create them; the embedded driver does not need that package).
getent group kvm >/dev/null || groupadd --system kvm
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd --system --no-create-home --gid kvm --shell /usr/sbin/nologin libvirt-qemu

exit 0
