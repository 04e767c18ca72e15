#!/usr/bin/env bash
# Builds the image every backend runs: <out>/<name>/rootfs/ (busybox-static, /sbin/benchinit, the static
# workloads in /bench/bin), initramfs.cpio (the same tree for a guest: rdinit=/sbin/benchinit), vmlinuz
# (the newest Debian cloud kernel) and manifest.json.
#
# More for images that host things (e.g. "guest": containers inside a guest), none of it in the default:
#   --add PATH[=DEST]  a host program or library at PATH (or DEST) in the rootfs, with every shared library
#                      the dynamic loader itself lists for it (ld.so --list), the loader, and each symlink on
#                      the way (soname link and real file both exist)
#   --nest IMAGE_DIR   another built image's rootfs at /images/<its name>/rootfs
#   --modules a,b      modules of the image's kernel and their dependencies in load order (modprobe
#                      --show-depends), at their /lib/modules path, listed in /etc/benchrun/modules
#
# Idempotent: when the manifest already records the same inputs (sha256 of the workload binaries,
# busybox, the kernel and this script) it does nothing. The image is built next to its final place and
# renamed into it, so a half-built image is never what <out>/<name> holds.
set -euo pipefail
umask 022

script_path=$(realpath "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
readonly script_path repo_root
readonly workloads=(hello spin hog forker idle netpeer netclient burner affinity oomprobe probe overhead ticker devprobe ioprobe cachefill)
# Fixed timestamps and owners make the cpio the same bytes for the same inputs.
readonly fixed_mtime=@0

name=default
workloads_dir=$repo_root/build/release/bench/workloads
out_dir=$repo_root/images

adds=()
nests=()
module_names=()

die() {
  echo "build-image.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: build-image.sh [--name NAME] [--workloads-dir DIR] [--out DIR] [--add PATH[=DEST]]..."
  echo "                      [--nest IMAGE_DIR]... [--modules a,b,...]"
  echo "  --name NAME          image name (default: default)"
  echo "  --workloads-dir DIR  where benchinit and the workloads were built (default: build/release/bench/workloads)"
  echo "  --out DIR            where images live (default: images/ in the source tree)"
  echo "  --add PATH[=DEST]    a host program or library, at DEST (default: PATH) in the rootfs, with every shared"
  echo "                       library the dynamic loader lists for it and the loader (repeatable)"
  echo "  --nest IMAGE_DIR     another image's rootfs at /images/<name>/rootfs (repeatable)"
  echo "  --modules a,b,...    kernel modules of the image's kernel and their dependencies, listed in load order in"
  echo "                       /etc/benchrun/modules (repeatable)"
}

while (($#)); do
  case $1 in
    --name | --workloads-dir | --out | --add | --nest | --modules)
      (($# >= 2)) || die "$1 needs a value"
      case $1 in
        --name) name=$2 ;;
        --workloads-dir) workloads_dir=$2 ;;
        --out) out_dir=$2 ;;
        --add) adds+=("$2") ;;
        --nest) nests+=("$2") ;;
        --modules)
          IFS=, read -r -a listed <<<"$2"
          for module in "${listed[@]}"; do
            [[ $module =~ ^[A-Za-z0-9_-]+$ ]] || die "--modules $2: '$module' is not a module name (e.g. --modules overlay,loop)"
            module_names+=("$module")
          done
          ;;
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

# A path as it appears inside the rootfs and in the manifest's JSON: absolute, plain characters only.
check_rootfs_path() {
  [[ $2 =~ ^/[A-Za-z0-9._+@/-]+$ ]] || die "$1: '$2' is not an absolute path of letters, digits and ._+@-"
}

# The ELF interpreter (dynamic loader) a program asks for; empty for a static program, a library or a file
# that is no ELF at all (a script: its interpreter must be in the image already, e.g. busybox's sh).
interpreter_of() {
  local headers
  headers=$(readelf --program-headers "$1" 2>/dev/null) || return 0
  sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p' <<<"$headers"
}

# --add: what goes where, "<host path> <rootfs path>" in order, each once. The programs themselves, then
# what the dynamic loader loads for them: its own --list is the truth (search paths, RUNPATH, hwcaps
# subfolders), so nothing here guesses a library's place.
declare -A placed=()
copies=()
added=()
add_copy() {
  [[ -n ${placed[$2]:-} ]] && return 0
  placed[$2]=$1
  copies+=("$1 $2")
}
for spec in "${adds[@]}"; do
  source_path=${spec%%=*}
  if [[ $spec == *=* ]]; then destination=${spec#*=}; else destination=$(realpath -m -s "$source_path"); fi
  [[ -f $source_path ]] || die "--add $source_path: no such file: install it (Debian: scripts/setup.sh) or fix the path"
  check_rootfs_path "--add $spec" "$destination"
  added+=("$destination")
  add_copy "$source_path" "$destination"
  loader=$(interpreter_of "$source_path")
  if [[ -z $loader ]] && readelf --dynamic "$source_path" 2>/dev/null | grep -q '(NEEDED)'; then
    # A shared library asks for no loader: the one the host's own programs use (readelf is one) lists it.
    loader=$(interpreter_of "$(command -v readelf)")
  fi
  [[ -n $loader ]] || continue # static: nothing else to load
  [[ -x $loader ]] || die "--add $source_path: its loader $loader is missing: install libc6 (scripts/setup.sh)"
  listing=$("$loader" --list "$source_path" 2>&1) ||
    die "--add $source_path: $loader --list failed: ${listing//$'\n'/; }"
  add_copy "$loader" "$loader"
  while read -r first arrow library _; do
    case $first in linux-vdso.so.* | linux-gate.so.*) continue ;; esac
    if [[ $arrow == "=>" ]]; then
      [[ $library == /* ]] ||
        die "--add $source_path: the loader does not find $first: install the package that has it (Debian: apt-file search $first)"
    else
      library=$first # the loader itself, listed by its own path
    fi
    check_rootfs_path "--add $source_path (library)" "$library"
    add_copy "$library" "$library"
  done <<<"$listing"
done

nest_names=()
nest_dirs=()
for nest in "${nests[@]}"; do
  nest_dir=$(realpath -m "$nest")
  nest_name=$(basename "$nest_dir")
  [[ -f $nest_dir/rootfs/sbin/benchinit && -f $nest_dir/manifest.json ]] ||
    die "--nest $nest: not a built image (no rootfs/sbin/benchinit or manifest.json): build it first with scripts/build-image.sh --name $nest_name"
  [[ $nest_dir != "$target" ]] || die "--nest $nest: an image cannot hold itself: nest another image"
  for known in "${nest_names[@]}"; do
    [[ $known != "$nest_name" ]] || die "--nest $nest: a second image named $nest_name: nest each name once"
  done
  nest_names+=("$nest_name")
  nest_dirs+=("$nest_dir")
done

# --modules: modprobe resolves each against the image's kernel (modules.dep, softdeps) and prints them in
# load order; a module shared by several is loaded once, where it first appears.
modules=()
if ((${#module_names[@]})); then
  command -v modprobe >/dev/null || die "modprobe not found: install kmod: scripts/setup.sh"
  [[ -d /lib/modules/$kernel_version ]] ||
    die "no /lib/modules/$kernel_version for --modules: install linux-image-$kernel_version: scripts/setup.sh"
  declare -A module_seen=()
  for module in "${module_names[@]}"; do
    depends=$(modprobe --show-depends -S "$kernel_version" -- "$module" 2>&1) ||
      die "--modules $module: not a module of kernel $kernel_version (modprobe: ${depends//$'\n'/; }): check the name in /lib/modules/$kernel_version/modules.dep"
    while read -r action module_path _; do
      [[ $action == insmod ]] || continue # "builtin NAME": in the kernel already, nothing to load
      [[ -z ${module_seen[$module_path]:-} ]] || continue
      module_seen[$module_path]=1
      check_rootfs_path "--modules $module" "$module_path"
      [[ $module_path == *.ko ]] ||
        die "--modules $module: $module_path is compressed, and benchinit loads plain .ko files: use a kernel with CONFIG_MODULE_COMPRESS_NONE"
      modules+=("$module_path")
    done <<<"$depends"
  done
fi

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
  # Only the images that have them: the default image's inputs are the ones above, as before.
  local copy index
  for copy in "${copies[@]}"; do
    sha256sum "${copy% *}" | awk -v p="${copy#* }" '{print $1 "  add " p}'
  done
  for index in "${!nest_names[@]}"; do
    sha256sum "${nest_dirs[$index]}/manifest.json" | awk -v n="${nest_names[$index]}" '{print $1 "  nest " n}'
  done
  for copy in "${modules[@]}"; do
    sha256sum "$copy" | awk -v p="$copy" '{print $1 "  module " p}'
  done
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

# A file at its place in the rootfs, each symlink on the way as a symlink (a library's soname link and
# its real file both exist, as the loader expects). Folders that are symlinks on the host (/lib ->
# usr/lib) become real folders: the paths the loader named are what must resolve.
place_file() {
  local from=$1 to=$2 link
  while [[ -L $from ]]; do
    link=$(readlink "$from")
    mkdir -p "$rootfs$(dirname "$to")"
    rm -f "$rootfs$to"
    ln -s "$link" "$rootfs$to"
    if [[ $link == /* ]]; then
      from=$link
      to=$link
    else
      from=$(dirname "$from")/$link
      to=$(realpath -m -s "$(dirname "$to")/$link")
    fi
  done
  mkdir -p "$rootfs$(dirname "$to")"
  rm -f "$rootfs$to" # e.g. a busybox applet link of the same name
  cp --preserve=mode "$from" "$rootfs$to"
}
for copy in "${copies[@]}"; do
  place_file "${copy% *}" "${copy#* }"
done
for index in "${!nest_names[@]}"; do
  mkdir -p "$rootfs/images/${nest_names[$index]}"
  cp -a "${nest_dirs[$index]}/rootfs" "$rootfs/images/${nest_names[$index]}/rootfs"
done
if ((${#modules[@]})); then
  for copy in "${modules[@]}"; do
    place_file "$copy" "$copy"
  done
  mkdir -p "$rootfs/etc/benchrun"
  printf '%s\n' "${modules[@]}" >"$rootfs/etc/benchrun/modules"
fi

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
# The added programs (where they are in the rootfs), nested images and modules (load order), only in the
# images that have them.
json_list() {
  (($# == 0)) && return 0
  local joined
  joined=$(printf '"%s", ' "$@")
  printf '[%s]' "${joined%, }"
}
extras_json=""
if ((${#added[@]})); then
  extras_json+=$'\n'"  \"added\": $(json_list "${added[@]}"),"
  libraries=()
  for copy in "${copies[@]}"; do
    destination=${copy#* }
    [[ " ${added[*]} " == *" $destination "* ]] || libraries+=("$destination")
  done
  ((${#libraries[@]})) && extras_json+=$'\n'"  \"libraries\": $(json_list "${libraries[@]}"),"
fi
((${#nest_names[@]})) && extras_json+=$'\n'"  \"nested\": $(json_list "${nest_names[@]}"),"
((${#modules[@]})) && extras_json+=$'\n'"  \"modules\": $(json_list "${modules[@]}"),"
cat >"$staging/manifest.json" <<EOF
{
  "name": "$name",
  "workloads": [${workloads_json%, }],
  "init": "/sbin/benchinit",
  "kernel": "$kernel_version",
  "busybox": "$busybox_version",
  "initramfs_sha256": "$(sha256sum "$staging/initramfs.cpio" | awk '{print $1}')",
  "inputs_sha256": "$inputs_sha256",${extras_json}
  "inputs": {$inputs_json
  }
}
EOF

# --- swap it into place --------------------------------------------------------------------------------
if [[ -e $target ]]; then mv -T "$target" "$previous"; fi
mv -T "$staging" "$target"
rm -rf -- "$previous"

cpio_bytes=$(stat -c %s "$target/initramfs.cpio")
extras=""
((${#added[@]})) && extras+=", ${#added[@]} added programs with ${#libraries[@]} libraries"
((${#nest_names[@]})) && extras+=", nested ${nest_names[*]}"
((${#modules[@]})) && extras+=", ${#modules[@]} modules"
echo "build-image.sh: built $target (kernel $kernel_version, ${#workloads[@]} workloads$extras, initramfs $((cpio_bytes / 1024)) KiB)"
