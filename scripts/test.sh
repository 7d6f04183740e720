#!/usr/bin/env bash
# Runs the whole test suite: set-up, lint (import boundaries included), typecheck, then every vitest project
# (unit, integration, e2e). The last line is the plain summary: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
echo "== lint" >&2
npm run --silent lint
echo "== typecheck" >&2
npm run --silent typecheck
echo "== tests" >&2
exec npx --no-install vitest run "$@"
