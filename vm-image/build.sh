#!/bin/bash
# Builds the Berth VM image from Debian packages: kernel, initramfs, read-only squashfs root with Node and berthd.
#   vm-image/build.sh [--arch amd64|arm64] [--out DIR] [--refresh]
# Output in vm-image/out/<arch>/: vmlinuz, initrd.img, rootfs.squashfs, manifest.json (versions + sha256).
# Cached under vm-image/cache/<arch>/, keyed on every input: resolved package versions, Node version, the files
# of vm-image/ and the built berthd. A second run with unchanged inputs does nothing.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
arch=$(dpkg --print-architecture)
out=""
refresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --refresh) refresh=1; shift ;;
    *) echo "usage: $0 [--arch amd64|arm64] [--out DIR] [--refresh]" >&2; exit 2 ;;
  esac
done
case "$arch" in amd64) node_arch=x64 ;; arm64) node_arch=arm64 ;; *) echo "unsupported arch $arch" >&2; exit 2 ;; esac
out=${out:-$here/out/$arch}
cache=$here/cache/$arch
# shellcheck source=config/inputs.env
. "$here/config/inputs.env"
step() { printf '[vm-image %s] %s\n' "$arch" "$*" >&2; }
need() { command -v "$1" >/dev/null || { echo "missing tool: $1 (see scripts/deps/apt-packages.txt)" >&2; exit 3; }; }
for t in apt-get dpkg-deb mksquashfs cpio depmod sha256sum npm node; do need "$t"; done

. "$here/scripts/apt.sh"
. "$here/scripts/rootfs.sh"
. "$here/scripts/initramfs.sh"
. "$here/scripts/engine.sh"
. "$here/scripts/data-disk.sh"

mkdir -p "$cache" "$out"
# One build per architecture at a time: tests of several people (or vitest files) may ask for the image at once.
exec 9>"$cache/.lock"
flock 9
apt_setup "$cache/apt" "$refresh"
step "resolving packages"
kernel_pkg=$(apt_kernel_package)
kernel_ver=${kernel_pkg#linux-image-}
kernel_deb="$kernel_pkg=$(apt_candidate "$kernel_pkg")"
mapfile -t pkgs < <(apt_closure $(grep -v '^#' "$here/config/packages.txt"))
inputs_hash() { (cd "$here" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }
# The base (extracted packages, Node, kernel modules) is cached apart from the parts that change often.
base_key=$( (printf '%s\n' "$arch" "$NODE_VERSION" "$kernel_deb" "${pkgs[@]}"
  inputs_hash config scripts/apt.sh scripts/rootfs.sh) | sha256sum | cut -c1-16)

step "building berthd"
engine_stage=$cache/engine
engine_build "$repo" "$engine_stage"
engine_key=$(engine_hash "$engine_stage")
key="$base_key-$(inputs_hash build.sh initramfs rootfs scripts tools)-$engine_key"
if [ -f "$out/manifest.json" ] && [ "$(node -p "require('$out/manifest.json').key" 2>/dev/null)" = "$key" ]; then
  step "up to date ($key)"
  exit 0
fi

base=$cache/base-$base_key
if [ ! -f "$base/.complete" ]; then
  rm -rf "$cache"/base-*
  step "downloading ${#pkgs[@]} packages"
  apt_download "$cache/debs" "$kernel_deb" "${pkgs[@]}"
  step "extracting root filesystem"
  rootfs_extract "$base" "$cache/debs" "${pkgs[@]}"
  rootfs_node "$base" "$cache/node" "$node_arch" "$NODE_VERSION"
  rootfs_kernel "$base" "$(apt_deb_path "$cache/debs" "$kernel_deb")" "$kernel_ver" "$here/config/modules.txt"
  rootfs_prune "$base"
  touch "$base/.complete"
fi

stage=$cache/stage
rm -rf "$stage"
cp -a "$base" "$stage"
rm -f "$stage/.complete"
rootfs_overlay "$stage" "$here/rootfs"
mkdir -p "$stage/opt/berth"
cp -a "$engine_stage" "$stage/opt/berth/engine"
# berth-init's go-ahead step after the boot-snapshot point (clock, kernel RNG reseed): C, built statically here.
cc=cc
[ "$arch" = "$(dpkg --print-architecture)" ] || cc=$(dpkg-architecture -a "$arch" -q DEB_HOST_GNU_TYPE)-gcc
mkdir -p "$stage/usr/local/sbin"
"$cc" -O2 -Wall -static -o "$stage/usr/local/sbin/berth-resume" "$here/tools/berth-resume.c"
step "berthd code cache"
engine_code_cache "$stage"

tmp=$out/.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
step "kernel $kernel_ver"
cp "$stage/boot/vmlinuz-$kernel_ver" "$tmp/vmlinuz"
rm -rf "$stage/boot"
step "initramfs"
initramfs_build "$stage" "$kernel_ver" "$here/initramfs" "$here/config/initramfs-modules.txt" "$tmp/initrd.img"
step "squashfs"
mksquashfs "$stage" "$tmp/rootfs.squashfs" -comp zstd -Xcompression-level 15 -b 1M -all-root -noappend -quiet \
  -mkfs-time 0 -all-time 0 >&2
rm -rf "$stage"

step "data disk template"
# 64 GiB: the VM's default disk size (electron/src/host/vm/backend.ts DEFAULT_VM_SETTINGS.diskGiB).
data_disk_template "$tmp/data-ext4-64g.qcow2" 64
step "manifest"
printf '%s\n' "$kernel_deb" "${pkgs[@]}" > "$tmp/packages.txt"
node "$here/scripts/manifest.mjs" "$tmp" "$key" "$arch" "$kernel_ver" "$NODE_VERSION" "$repo/engine/package.json" > "$tmp/manifest.json"
rm -f "$out"/data-ext4-*.qcow2
# Boot snapshots the host saved beside the image belong to the image they were made from.
rm -rf "$out/boot-snapshots"
for f in vmlinuz initrd.img rootfs.squashfs data-ext4-64g.qcow2 packages.txt manifest.json; do
  [ -f "$tmp/$f" ] && mv -f "$tmp/$f" "$out/$f"
done
rmdir "$tmp"
step "done: $out"
