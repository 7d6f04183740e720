# berthd for the VM: engine/dist bundled with esbuild into one CommonJS file (dependencies included, so it keeps working
# as the engine's dependencies grow, as long as they are pure JS), plus the static berth-monitor.
engine_build() {
  local repo=$1 stage=$2
  # tsc emits even with type errors; while the engine is mid-change in a shared checkout, ship what was emitted.
  (cd "$repo" && npx tsc -b engine) >&2 || echo "warning: engine typecheck failed; using the emitted engine/dist" >&2
  [ -f "$repo/engine/dist/cmd/berthd.js" ] || { echo "engine/dist/cmd/berthd.js missing after build" >&2; return 1; }
  rm -rf "$stage"
  mkdir -p "$stage/bin" "$stage/dist/cmd"
  cp "$repo/engine/package.json" "$stage/"
  cp "$repo/engine/bin/berthd" "$stage/bin/"
  [ -f "$repo/engine/dist/build-info.json" ] && cp "$repo/engine/dist/build-info.json" "$stage/dist/"
  if [ "${BERTH_VM_BUNDLE:-1}" = 1 ]; then
    # One file at dist/cmd/berthd.cjs: under TCG, loading ~150 modules costs seconds of boot; one bundle does not.
    # It keeps its place in dist/ so the engine's relative reads (../../package.json, ../build-info.json) hold.
    # CommonJS, not ESM, because only a classic script can be compiled with a V8 code cache on Node 20 (see
    # rootfs/usr/local/lib/berth/berthd-loader.cjs); import.meta.url becomes the bundle's own file URL.
    (cd "$repo" && npx esbuild engine/dist/cmd/berthd.js --bundle --platform=node --target=node20 --format=cjs \
      --outfile="$stage/dist/cmd/berthd.cjs" --log-level=warning --define:import.meta.url=__berthImportMetaUrl \
      --banner:js="const __berthImportMetaUrl = require('node:url').pathToFileURL(__filename).href; const __berthImport = (s) => Promise.resolve().then(() => { const m = require(s); return { ...m, default: m }; });") >&2
    # import() of Node's own modules (the only ones left unbundled) becomes require: a dynamic import() inside a
    # script compiled from a code cache fails with "A dynamic import callback was not specified".
    sed -i 's/\bimport("node:/__berthImport("node:/g' "$stage/dist/cmd/berthd.cjs"
    if grep -n '\bimport("' "$stage/dist/cmd/berthd.cjs" >&2; then
      echo "the berthd bundle has a dynamic import() of something other than a node: module (above)" >&2
      return 1
    fi
  else
    engine_copy "$repo" "$stage"
  fi
  engine_monitor "$repo" "$stage/bin/berth-monitor"
  find "$stage" -newermt @0 -exec touch -h -d @0 {} + 2>/dev/null || true
}

engine_hash() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# berthd's per-container monitor is C: built here, statically, for the VM's architecture (the VM has no compiler).
engine_monitor() {
  local repo=$1 out=$2 src=$1/engine/src/runtime/monitor/berth-monitor.c cc=cc
  [ -f "$src" ] || return 0
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    cc=$(dpkg-architecture -a "$arch" -q DEB_HOST_GNU_TYPE 2>/dev/null)-gcc
    command -v "$cc" >/dev/null || { echo "missing $cc: apt-get install gcc-$(dpkg-architecture -a "$arch" -q DEB_HOST_GNU_TYPE) libc6-dev-$arch-cross" >&2; return 1; }
  fi
  "$cc" -O2 -Wall -static -o "$out" "$src"
}

# The unbundled layout (BERTH_VM_BUNDLE=0): engine/dist plus the production dependency closure npm resolves.
engine_copy() {
  local repo=$1 stage=$2 path rel
  (cd "$repo/engine" && find dist -name '*.js' -not -name '*.test.js' -print0 | cpio --null -pdm --quiet "$stage")
  while read -r path; do
    case "$path" in "$repo"|"$repo/node_modules/@berth/"*) continue ;; esac
    rel=${path#"$repo"/}
    rel=${rel#engine/}
    mkdir -p "$stage/$(dirname "$rel")"
    cp -a "$path" "$stage/$rel"
  done < <(cd "$repo" && npm ls --omit=dev --all --parseable -w @berth/engine 2>/dev/null)
  if [ -n "$(find "$stage/node_modules" -name '*.node' | head -1)" ]; then
    echo "warning: berthd dependencies carry native addons (they would need an arm64 build):" >&2
    find "$stage/node_modules" -name '*.node' >&2
  fi
}

# The V8 code cache of the bundle (dist/cmd/berthd.cjs.v8cache), made by the VM's own Node binary running the VM's
# loader with the flags /usr/local/bin/berthd gives it: V8 accepts a cache only from the same version and flags.
# Only when that binary runs here (same architecture); the loader compiles from source without it.
# First the cache of the bundle's evaluation; then, when a network namespace can be had (root, or an unprivileged
# user namespace), one made after berthd really started there on throwaway roots and answered version and info,
# which also holds the functions its start-up runs (under TCG, compiling those lazily cost seconds of each boot).
# Its bridge and firewall rules live and die with that namespace; nothing on this machine is touched.
engine_code_cache() {
  local root=$1 bundle=$1/opt/berth/engine/dist/cmd/berthd.cjs tmp ns
  [ -f "$bundle" ] || return 0
  [ "$arch" = "$(dpkg --print-architecture)" ] || { echo "no berthd code cache for $arch (cross build)" >&2; return 0; }
  env -i BERTHD_BUNDLE="$bundle" "$root/usr/local/bin/node" --semi-space-growth-factor=1 \
    "$root/usr/local/lib/berth/berthd-loader.cjs" --write-code-cache >&2
  tmp=$(mktemp -d)
  echo '{}' > "$tmp/daemon.json"   # not the machine's /etc/docker/daemon.json
  for ns in "unshare --net" "unshare --net --map-root-user"; do
    # shellcheck disable=SC2086 # $ns is the unshare command line
    if timeout 300 $ns -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin BERTHD_BUNDLE="$bundle" \
      BERTH_MONITOR="$root/opt/berth/engine/bin/berth-monitor" "$root/usr/local/bin/node" --semi-space-growth-factor=1 \
      "$root/usr/local/lib/berth/berthd-loader.cjs" --write-code-cache -H "unix://$tmp/berthd.sock" --data-root "$tmp/data" \
      --exec-root "$tmp/exec" --pidfile "$tmp/berthd.pid" --config-file "$tmp/daemon.json" --host-gateway-ip 10.0.2.2 \
      --default-runtime crun > "$tmp/berthd.log" 2>&1; then
      grep -h '^berthd-loader' "$tmp/berthd.log" >&2
      break
    fi
    echo "berthd code cache after a start: not made with $ns (the evaluation's cache stays); its log:" >&2
    tail -n 5 "$tmp/berthd.log" >&2
  done
  rm -rf "$tmp"
  touch -h -d @0 "$bundle.v8cache"
}
