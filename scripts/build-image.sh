#!/usr/bin/env bash
# Builds the image every backend runs: <out>/<name>/rootfs/ (busybox-static, /sbin/benchinit, the static
# workloads in /bench/bin), initramfs.cpio (the same tree for a guest: rdinit=/sbin/benchinit), vmlinuz
# (the newest Debian cloud kernel) and manifest.json.
#
# Idempotent: when the manifest already records the same inputs (sha256 of the workload binaries,
# busybox, the kernel and this script) it does nothing. The image is built next to its final place and
# renamed into it, so a half-built image is never what <out>/<name> holds.
set -euo pipefail
umask 022

script_path=$(realpath "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
readonly script_path repo_root
readonly workloads=(hello spin hog forker idle overhead)
# Fixed timestamps and owners make the cpio the same bytes for the same inputs.
readonly fixed_mtime=@0

name=default
workloads_dir=$repo_root/build/release/bench/workloads
out_dir=$repo_root/images

die() {
  echo "build-image.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: build-image.sh [--name NAME] [--workloads-dir DIR] [--out DIR]"
  echo "  --name NAME          image name (default: default)"
  echo "  --workloads-dir DIR  where benchinit and the workloads were built (default: build/release/bench/workloads)"
  echo "  --out DIR            where images live (default: images/ in the source tree)"
}

while (($#)); do
  case $1 in
    --name | --workloads-dir | --out)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --name) name=$2 ;;
        --workloads-dir) workloads_dir=$2 ;;
        --out) out_dir=$2 ;;
      esac
      shift 2
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

[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "bad image name '$name' (letters, digits, . _ - only)"
workloads_dir=$(realpath -m "$workloads_dir")
out_dir=$(realpath -m "$out_dir")
target=$out_dir/$name

# A statically linked file asks for no ELF interpreter. Everything in the image must be: it has no libc.
is_static() {
  local headers
  headers=$(readelf --program-headers "$1" 2>/dev/null) || return 1
  [[ $headers != *INTERP* ]]
}

# --- inputs -------------------------------------------------------------------------------------------
busybox=$(command -v busybox || true)
[[ -n $busybox ]] || die "busybox not found: install busybox-static: scripts/setup.sh"
busybox=$(realpath "$busybox")
is_static "$busybox" || die "$busybox is not static: install busybox-static: scripts/setup.sh"

shopt -s nullglob
kernels=(/boot/vmlinuz-*-cloud-amd64)
shopt -u nullglob
((${#kernels[@]})) || die "no /boot/vmlinuz-*-cloud-amd64: install linux-image-cloud-amd64: scripts/setup.sh"
kernel=$(printf '%s\n' "${kernels[@]}" | sort -V | tail -n 1)
kernel_version=${kernel#/boot/vmlinuz-}
[[ -r $kernel ]] || die "cannot read $kernel (Debian keeps it root-only): run as root"

for program in benchinit "${workloads[@]}"; do
  binary=$workloads_dir/$program
  [[ -x $binary ]] || die "missing $binary: build the workloads first (cmake --build build/release)"
  is_static "$binary" || die "$binary is not statically linked"
done

# One line per input, "<sha256>  <role>"; their hash is the image's identity.
inputs_listing() {
  local program
  sha256sum "$workloads_dir/benchinit" | awk '{print $1 "  sbin/benchinit"}'
  for program in "${workloads[@]}"; do
    sha256sum "$workloads_dir/$program" | awk -v p="$program" '{print $1 "  bench/bin/" p}'
  done
  sha256sum "$busybox" | awk '{print $1 "  busybox"}'
  sha256sum "$kernel" | awk -v k="$kernel_version" '{print $1 "  kernel " k}'
  sha256sum "$script_path" | awk '{print $1 "  build-image.sh"}'
}
inputs=$(inputs_listing)
inputs_sha256=$(sha256sum <<<"$inputs" | awk '{print $1}')

image_is_current() {
  [[ -f $target/manifest.json && -d $target/rootfs && -f $target/initramfs.cpio && -f $target/vmlinuz ]] &&
    grep -q "\"inputs_sha256\": \"$inputs_sha256\"" "$target/manifest.json"
}

mkdir -p "$out_dir"
# Two builds at once (two build trees, a script run by hand) take turns; the second then finds the
# image current.
exec {lock_fd}>"$out_dir/.$name.lock"
flock "$lock_fd"

if image_is_current; then
  echo "build-image.sh: $target is up to date (inputs unchanged: $inputs_sha256)"
  exit 0
fi

# --- build in a staging dir next to the target -----------------------------------------------------------
staging=$(mktemp -d "$out_dir/.$name.building.XXXXXX")
previous=$out_dir/.$name.previous.$$
cleanup() {
  # Interrupted between the two renames below: put the old image back rather than leave none.
  if [[ ! -e $target && -d $previous ]]; then mv -T "$previous" "$target"; fi
  rm -rf -- "$staging" "$previous"
}
trap cleanup EXIT
# mktemp makes it 0700; QEMU run by libvirt as an unprivileged user must read the kernel and initramfs.
chmod 0755 "$staging"

rootfs=$staging/rootfs
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,bench/bin}
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"

install -m 0755 "$busybox" "$rootfs/bin/busybox"
# Every applet as a symlink where busybox itself would install it (/bin, /sbin, /usr/bin, /usr/sbin).
# One process for all ~270 links: a fork per link costs seconds on a busy machine.
"$busybox" --list-full | python3 -c '
import os, sys
rootfs = sys.argv[1]
for applet in sys.stdin.read().split():
    if applet in ("bin/busybox", "linuxrc"):
        continue
    os.makedirs(os.path.join(rootfs, os.path.dirname(applet)), exist_ok=True)
    os.symlink("/bin/busybox", os.path.join(rootfs, applet))
' "$rootfs"

# Stripped copies: the same code, a smaller initramfs for the guest kernel to unpack on every boot.
install -m 0755 -s "$workloads_dir/benchinit" "$rootfs/sbin/benchinit"
for program in "${workloads[@]}"; do
  install -m 0755 -s "$workloads_dir/$program" "$rootfs/bench/bin/$program"
done

printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
  >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
echo benchrun >"$rootfs/etc/hostname"

find "$rootfs" -exec touch -h -d "$fixed_mtime" {} +
(cd "$rootfs" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
  cpio --quiet --null -o -H newc -R 0:0 --reproducible) >"$staging/initramfs.cpio"

install -m 0644 "$kernel" "$staging/vmlinuz"

# The first line of its help; read whole, since `| head` would kill busybox with SIGPIPE (and pipefail us).
busybox_help=$("$busybox" 2>&1 || true)
busybox_version=${busybox_help%%$'\n'*}
busybox_version=${busybox_version% multi-call binary.}
busybox_version=${busybox_version//[\"\\]/}
workloads_json=$(printf '"%s", ' "${workloads[@]}")
inputs_json=$(awk '{ role = $2; for (i = 3; i <= NF; i++) role = role " " $i;
                     printf "%s\n    \"%s\": \"%s\"", (NR > 1 ? "," : ""), role, $1 }' <<<"$inputs")
cat >"$staging/manifest.json" <<EOF
{
  "name": "$name",
  "workloads": [${workloads_json%, }],
  "init": "/sbin/benchinit",
  "kernel": "$kernel_version",
  "busybox": "$busybox_version",
  "initramfs_sha256": "$(sha256sum "$staging/initramfs.cpio" | awk '{print $1}')",
  "inputs_sha256": "$inputs_sha256",
  "inputs": {$inputs_json
  }
}
EOF

# --- swap it into place --------------------------------------------------------------------------------
if [[ -e $target ]]; then mv -T "$target" "$previous"; fi
mv -T "$staging" "$target"
rm -rf -- "$previous"

cpio_bytes=$(stat -c %s "$target/initramfs.cpio")
echo "build-image.sh: built $target (kernel $kernel_version, ${#workloads[@]} workloads, initramfs $((cpio_bytes / 1024)) KiB)"
