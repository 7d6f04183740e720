# A busybox initramfs holding only the modules needed to reach the root disk (closure from modules.dep).
initramfs_build() {
  local root=$1 kver=$2 src=$3 list=$4 outfile=$5
  local tmp
  tmp=$(mktemp -d)
  mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/lib/modules/$kver"
  cp "$root/usr/bin/busybox" "$tmp/bin/busybox"
  cp "$src/init" "$tmp/init"
  chmod 755 "$tmp/init"
  grep -v '^#' "$list" > "$tmp/etc/modules-initramfs"
  local m line
  for m in $(cat "$tmp/etc/modules-initramfs"); do
    modprobe -d "$root" -S "$kver" --show-depends "$m" 2>/dev/null | while read -r line; do
      case "$line" in
        insmod\ *)
          local ko=${line#insmod }; ko=${ko%% *}
          local rel=${ko#"$root"/usr/lib/modules/$kver/}
          rel=${rel#"$root"/lib/modules/$kver/}
          mkdir -p "$tmp/lib/modules/$kver/$(dirname "$rel")"
          cp "$ko" "$tmp/lib/modules/$kver/$rel"
          ;;
      esac
    done
  done
  cp "$root/usr/lib/modules/$kver"/modules.builtin* "$root/usr/lib/modules/$kver"/modules.order "$tmp/lib/modules/$kver/" 2>/dev/null || true
  depmod -b "$tmp" "$kver"
  (cd "$tmp" && find . -print0 | sort -z | cpio --null -o -H newc --reproducible --quiet) | gzip -n -6 > "$outfile"
  rm -rf "$tmp"
}
