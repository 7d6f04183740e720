import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `tools/bin/docker-credential-berth` in a packaged macOS or Linux app: there is no system Node there, so the app's
 * own binary runs the helper as Node (`ELECTRON_RUN_AS_NODE=1`), loading the same one-file bundle a checkout uses
 * (`dist/cli/docker-credential-berth.cjs` inside `app.asar`; the keyring's native module is unpacked beside it by
 * electron-builder). The launcher finds the app from its own real path, as ~/.berth/bin and /usr/local/bin link to it.
 */
export const APP_EXECUTABLE: Record<string, string> = {
  // Relative to the resources dir: Berth.app/Contents/Resources → Contents/MacOS/Berth.
  darwin: '../MacOS/Berth',
  // electron-builder.yml sets linux.executableName: berth, beside resources/.
  linux: '../berth',
};

export function shellLauncher(appExecutable: string): string {
  return `#!/bin/sh
# docker-credential-berth: the Berth app's own binary runs the credential helper as Node (ELECTRON_RUN_AS_NODE).
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac
done
resources=$(cd "$(dirname "$self")/../.." && pwd -P)
ELECTRON_RUN_AS_NODE=1 exec "$resources/${appExecutable}" -e '
require(process.argv[1]).main(process.argv.slice(2)).catch((err) => {
  process.stdout.write(String(err && err.message ? err.message : err) + "\\n");
  process.exit(1);
});' "$resources/app.asar/dist/cli/docker-credential-berth.cjs" "$@"
`;
}

/** Writes the launcher into a target's tools dir (`<toolsDir>/bin/docker-credential-berth`). */
export function writeCredentialHelperLauncher(toolsDir: string, platform: string): string | undefined {
  const exe = APP_EXECUTABLE[platform];
  if (!exe) return undefined;
  const file = path.join(toolsDir, 'bin', 'docker-credential-berth');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, shellLauncher(exe));
  chmodSync(file, 0o755);
  return file;
}
