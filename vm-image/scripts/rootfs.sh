# Root filesystem assembly by unpacking .debs (no maintainer scripts run, so any architecture builds anywhere):
# the few things maintainer scripts would do for us (users, alternatives, merged /usr) are done here explicitly.

rootfs_extract() {
  local root=$1 debs=$2; shift 2
  rm -rf "$root"
  mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib"
  # Bookworm is merged-/usr: the top-level dirs are symlinks and tar must keep them.
  local d
  for d in bin sbin lib; do ln -s "usr/$d" "$root/$d"; done
  [ "$arch" = amd64 ] && { mkdir -p "$root/usr/lib64"; ln -s usr/lib64 "$root/lib64"; }
  local p deb
  for p in "$@"; do
    deb=$(apt_deb_path "$debs" "$p")
    [ -n "$deb" ] || { echo "package file missing for $p" >&2; return 1; }
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$root"
  done
  # What iptables' and nftables' maintainer scripts set up through update-alternatives: the nft backend.
  local t
  for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
    ln -sf "xtables-nft-multi" "$root/usr/sbin/$t"
  done
  mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/root" "$root/mnt" "$root/var/lib" \
    "$root/var/log" "$root/etc"
  [ -e "$root/usr/bin/sh" ] || ln -s dash "$root/usr/bin/sh"
  # /var/run is /run, as base-files' maintainer script (not run here) makes it: the engine's docker.sock.raw is there.
  if [ ! -L "$root/var/run" ]; then
    rmdir "$root/var/run" 2>/dev/null || true
    [ ! -e "$root/var/run" ] || { echo "$root/var/run is not empty: cannot make it the link to /run" >&2; return 1; }
    ln -s /run "$root/var/run"
  fi
  ln -sfn /run/resolv.conf "$root/etc/resolv.conf"
  ln -sfn /run/hosts "$root/etc/hosts"
  ln -sfn /proc/self/mounts "$root/etc/mtab"
}

# Node from the npm registry's node-linux-<arch> package (Debian bookworm only has Node 18).
rootfs_node() {
  local root=$1 dir=$2 node_arch=$3 version=$4
  mkdir -p "$dir"
  local tgz=$dir/node-linux-$node_arch-$version.tgz
  if [ ! -f "$tgz" ]; then
    (cd "$dir" && npm pack --silent "node-linux-$node_arch@$version" >/dev/null)
  fi
  mkdir -p "$root/usr/local/bin"
  tar -xzf "$tgz" -C "$root/usr/local/bin" --strip-components=2 package/bin/node
  chmod 755 "$root/usr/local/bin/node"
}

# The kernel image plus the allow-listed modules (config/modules.txt), indexed by depmod.
rootfs_kernel() {
  local root=$1 deb=$2 kver=$3 list=$4
  local tmp
  tmp=$(mktemp -d)
  dpkg-deb -x "$deb" "$tmp"
  local src=$tmp/lib/modules/$kver
  [ -d "$src" ] || src=$tmp/usr/lib/modules/$kver
  local dst=$root/usr/lib/modules/$kver
  mkdir -p "$dst/kernel" "$root/boot"
  cp "$tmp/boot/vmlinuz-$kver" "$root/boot/"
  cp "$src"/modules.builtin* "$src"/modules.order "$dst/" 2>/dev/null || true
  local pat path
  while read -r pat; do
    case "$pat" in ''|'#'*) continue ;; esac
    for path in "$src"/kernel/$pat; do
      [ -e "$path" ] || continue
      mkdir -p "$dst/kernel/$(dirname "${path#"$src"/kernel/}")"
      cp -a "$path" "$dst/kernel/$(dirname "${path#"$src"/kernel/}")/"
    done
  done < "$list"
  rm -rf "$tmp"
  depmod -b "$root" "$kver"
}

rootfs_prune() {
  local root=$1
  rm -rf "$root"/usr/share/{doc,man,info,locale,lintian,bug,bash-completion,zsh} "$root"/var/cache/* \
    "$root"/var/lib/{apt,dpkg} "$root"/etc/ssh/ssh_host_* "$root"/usr/share/initramfs-tools
  mkdir -p "$root/usr/share/locale"
}

rootfs_overlay() {
  local root=$1 overlay=$2
  cp -a "$overlay/." "$root/"
  chmod 640 "$root/etc/shadow"
  ldconfig -r "$root" 2>/dev/null || true
}
