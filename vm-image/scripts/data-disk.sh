# An empty ext4 data disk, formatted here once: the host copies it as a new install's ~/.berth/vm/data.qcow2 (when
# the VM's disk size matches), so no first boot runs mkfs.ext4 under emulation. A VM given another size gets a
# blank disk, which berth-init formats on its first boot as before.
data_disk_template() {
  local out=$1 gib=$2 raw
  command -v mkfs.ext4 >/dev/null && command -v qemu-img >/dev/null || {
    echo "no mkfs.ext4 or qemu-img here: no data disk template (first boots format the disk)" >&2
    return 0
  }
  raw=$(mktemp -p "$(dirname "$out")" data.XXXXXX.raw)
  truncate -s "${gib}G" "$raw"
  # lazy_itable_init=0: the inode tables are zeroed here (qemu-img keeps the zeros sparse, the qcow2 stays ~10 MiB).
  # With lazy init, the kernel's ext4lazyinit thread zeroes them in the background of every boot until done (1 GiB
  # of tables for 64 GiB), taking CPU from berthd's start under emulation. nodiscard: the file is sparse already.
  mkfs.ext4 -q -F -L berth-data -E lazy_itable_init=0,lazy_journal_init=1,nodiscard "$raw"
  qemu-img convert -q -f raw -O qcow2 "$raw" "$out"
  rm -f "$raw"
}
