# apt with a private state directory and a fixed target architecture: resolves and downloads the packages of the VM
# for any architecture without touching the build machine's own apt configuration.
apt_opts=()

apt_setup() {
  local dir=$1 refresh=$2
  mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc"
  touch "$dir/status"
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  cat > "$dir/etc/sources.list" <<SRC
deb [signed-by=$key] $DEBIAN_MIRROR $DEBIAN_SUITE main
deb [signed-by=$key] $DEBIAN_MIRROR $DEBIAN_SUITE-updates main
deb [signed-by=$key] $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main
SRC
  apt_opts=(-o "Dir::State=$dir" -o "Dir::State::Lists=$dir/lists" -o "Dir::State::status=$dir/status"
    -o "Dir::Cache=$dir" -o "Dir::Cache::Archives=$dir/archives" -o "Dir::Etc::SourceList=$dir/etc/sources.list"
    -o "Dir::Etc::SourceParts=-" -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
    -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -o "Acquire::Languages=none")
  # Package lists are refreshed once a day (or with --refresh); versions then come from the lists.
  if [ "$refresh" = 1 ] || [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    step "apt-get update"
    apt-get "${apt_opts[@]}" -qq update >&2
  fi
}

# The concrete kernel package behind the metapackage (the version moves with security updates).
apt_kernel_package() {
  apt-cache "${apt_opts[@]}" depends "linux-image-cloud-$arch" | awk '/Depends: linux-image-/{print $2; exit}'
}

# Prints name=version for every package to install (the closure of the arguments, without recommends).
apt_closure() {
  apt-get "${apt_opts[@]}" -s -qq install --no-install-recommends "$@" |
    awk '/^Inst /{ v=$3; gsub(/[()]/, "", v); if (v ~ /^\[/) v=$4; gsub(/[()]/, "", v); print $2 "=" v }' | sort
}

apt_download() {
  local dir=$1; shift
  mkdir -p "$dir"
  local missing=() p
  for p in "$@"; do
    compgen -G "$dir/${p%%=*}_$(apt_version_file "${p#*=}")_*.deb" >/dev/null || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    (cd "$dir" && apt-get "${apt_opts[@]}" -qq download "${missing[@]}" >&2)
  fi
}

# Debian file names encode the epoch colon as %3a.
apt_version_file() { echo "${1//:/%3a}"; }

apt_deb_path() {
  local dir=$1 p=$2
  compgen -G "$dir/${p%%=*}_$(apt_version_file "${p#*=}")_*.deb" | head -1
}

apt_candidate() {
  apt-cache "${apt_opts[@]}" policy "$1" | awk '/Candidate:/{print $2; exit}'
}
