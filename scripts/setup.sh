#!/usr/bin/env bash
# Everything Berth needs on this machine, idempotent and quick the second time:
#   1. Debian packages from scripts/deps/apt-packages.txt (installed with apt when running as root),
#   2. npm packages (npm install when package.json or package-lock.json changed since the last install),
#   3. the TypeScript build (incremental),
#   4. the docker client toolchain (Debian trixie's docker CLI 26.1, Compose v2 and buildx plugins), and with
#      --test the dockerd test peer (Debian bookworm's docker.io and containerd): .debs fetched with apt on a
#      private state dir and unpacked into .cache/toolchain, never installed system-wide (scripts/src/toolchain).
# Used by scripts/start.sh and scripts/test.sh (with --test); safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
say() { printf '\033[1m[berth setup]\033[0m %s\n' "$*" >&2; }

install_apt_packages() {
  local wanted missing=()
  mapfile -t wanted < <(grep -v -E '^\s*(#|$)' scripts/deps/apt-packages.txt | sed 's/\s*#.*//')
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    say "missing Debian packages: ${missing[*]}"
    say "install them with: sudo apt-get install -y ${missing[*]}   (then run this again)"
    return 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Only refresh the package lists when they are missing or a day old: apt-get update is the slow part.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq >&2
  fi
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

install_npm_packages() {
  local stamp=node_modules/.berth-lock-hash hash
  hash=$(cat package-lock.json */package.json package.json | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return 0; fi
  say "installing npm packages"
  # npm install, not npm ci: npm 11 leaves other platforms' optional binaries (resolver, bundler bindings) out
  # of the lock file, which makes npm ci refuse a lock that npm install itself wrote. The lock still pins versions.
  npm install --no-audit --no-fund --loglevel=error >&2
  hash=$(cat package-lock.json */package.json package.json | sha256sum | cut -d' ' -f1)
  echo "$hash" > "$stamp"
}

build() {
  say "building"
  npx --no-install tsc -b engine scripts electron >&2
  scripts/bundle-credential-helper.sh >&2
  local commit
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo dev)
  node -e '
    const fs = require("fs");
    const version = JSON.parse(fs.readFileSync("engine/package.json", "utf8")).version;
    const info = { version, gitCommit: process.argv[1], buildTime: new Date().toISOString() };
    fs.writeFileSync("engine/dist/build-info.json", JSON.stringify(info) + "\n");
  ' "$commit"
}

build_renderer() {
  # The dashboard UI (renderer/dist, served by `berth dashboard`): rebuilt only when its sources changed.
  local stamp=renderer/dist/.berth-src-hash hash
  hash=$(find renderer/src renderer/public renderer/index.html renderer/vite.config.ts renderer/package.json electron/src/shared \
           -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return 0; fi
  say "building the dashboard UI"
  npm run --silent build -w renderer -- --logLevel warn >&2
  echo "$hash" > "$stamp"
}

electron_types() {
  # Electron's own electron.d.ts, for typechecking the shell (electron/tsconfig.main.json), without installing
  # electron (its install script downloads a binary): npm pack fetches only the package tarball.
  local ver dir=.cache/electron-types tmp
  ver=$(node -p 'require("./electron/package.json").berth.electronVersion')
  [ -f "$dir/$ver/electron.d.ts" ] && return 0
  say "fetching electron@$ver type definitions"
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent "electron@$ver" >/dev/null 2>&1); then
    mkdir -p "$dir/$ver"
    tar -xzf "$tmp"/electron-*.tgz -C "$tmp" package/electron.d.ts
    mv "$tmp/package/electron.d.ts" "$dir/$ver/electron.d.ts"
    ln -sfn "$ver" "$dir/current"
  else
    say "could not fetch electron@$ver from the npm registry: the Electron shell will not typecheck"
  fi
  rm -rf "$tmp"
}

toolchain() {
  # A cache hit is a stat; a miss fetches from deb.debian.org (about a minute) and says so.
  node scripts/dist/toolchain/cli.js "$1" >/dev/null
}

install_apt_packages
install_npm_packages
electron_types
build
build_renderer
toolchain client
toolchain tools
if [ "$mode" = --test ]; then toolchain peer; fi
