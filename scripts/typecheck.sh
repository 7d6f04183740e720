#!/usr/bin/env bash
# Typechecks every workspace with the lib/types of where it runs: the emitting builds (tsc -b), then the
# noEmit configs that also cover tests (tsconfig.test.json), the Electron shell and the DOM-only renderer.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -b engine scripts electron
for cfg in engine/tsconfig.test.json scripts/tsconfig.test.json electron/tsconfig.test.json \
           electron/tsconfig.main.json renderer/tsconfig.json vm-image/tsconfig.json; do
  [ -f "$cfg" ] || continue
  dir=$(dirname "$cfg")
  # A workspace with no TypeScript yet has nothing to check (tsc would fail with "no inputs").
  [ -n "$(find "$dir/src" "$dir/test" \( -name '*.ts' -o -name '*.tsx' \) 2>/dev/null | head -1)" ] || continue
  npx --no-install tsc -p "$cfg"
done
