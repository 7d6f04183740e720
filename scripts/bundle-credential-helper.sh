#!/usr/bin/env bash
# docker-credential-berth as one CommonJS file, electron/dist/cli/docker-credential-berth.cjs, which
# electron/libexec/docker-credential-berth loads: the docker CLI waits for the helper's start on every pull and push,
# and a bundle has no module graph to resolve. import.meta.url becomes the bundle's own URL (it sits in dist/cli, as
# the module it stands for); @napi-rs/keyring stays a require, made only when the keychain is asked. Run as the main
# module (a packaged app's launcher: `<app binary> docker-credential-berth.cjs ACTION`), it runs the helper. Run by
# scripts/setup.sh after tsc (the helper falls back to the ESM build when tsc ran since) and by the bench.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install esbuild electron/src/cli/docker-credential-berth.ts --bundle --platform=node --format=cjs \
  --target=node20 --external:@napi-rs/keyring --define:import.meta.url=__berthModuleUrl --log-level=warning \
  "--banner:js=const __berthModuleUrl = require('node:url').pathToFileURL(__filename).href;" \
  "--footer:js=if (require.main === module) module.exports.main(process.argv.slice(2)).catch((err) => { process.stdout.write(String(err && err.message ? err.message : err) + '\\n'); process.exit(1); });" \
  --outfile=electron/dist/cli/docker-credential-berth.cjs
