import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `tools/bin/docker-credential-berth` in a packaged macOS or Linux app: there is no system Node there, so the app's
 * own binary runs the helper as Node (`ELECTRON_RUN_AS_NODE=1`), loading the same one-file bundle a checkout uses
 * (`dist/cli/docker-credential-berth.cjs` inside `app.asar`, which runs the helper when it is the main module; the
 * keyring's native module is unpacked beside it by electron-builder). The launcher finds the app from its own real
 * path, as ~/.berth/bin and /usr/local/bin link to it.
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
# No TLS here: Node would read and parse the whole extra CA bundle before the helper's first line.
unset NODE_EXTRA_CA_CERTS
ELECTRON_RUN_AS_NODE=1 exec "$resources/${appExecutable}" "$resources/app.asar/dist/cli/docker-credential-berth.cjs" "$@"
`;
}

/**
 * Windows: `tools/bin/docker-credential-berth.cmd` under `<install>/resources`, run by the docker CLI through
 * PATHEXT. It finds the app through %~dp0, so ~/.berth/bin gets a one-line .cmd calling it by full path, not a copy
 * (host/toolchain/tool-links.ts).
 */
export function cmdLauncher(): string {
  return [
    '@echo off',
    'rem docker-credential-berth: the Berth app\'s own binary runs the credential helper as Node (ELECTRON_RUN_AS_NODE).',
    'setlocal',
    'set ELECTRON_RUN_AS_NODE=1',
    'set NODE_EXTRA_CA_CERTS=',
    '"%~dp0..\\..\\..\\Berth.exe" "%~dp0..\\..\\app.asar\\dist\\cli\\docker-credential-berth.cjs" %*',
    'exit /b %ERRORLEVEL%',
    '',
  ].join('\r\n');
}

/** Writes the launcher into a target's tools dir (`<toolsDir>/bin/docker-credential-berth`). */
export function writeCredentialHelperLauncher(toolsDir: string, platform: string): string | undefined {
  if (platform === 'win32') {
    const file = path.join(toolsDir, 'bin', 'docker-credential-berth.cmd');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, cmdLauncher());
    return file;
  }
  const exe = APP_EXECUTABLE[platform];
  if (!exe) return undefined;
  const file = path.join(toolsDir, 'bin', 'docker-credential-berth');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, shellLauncher(exe));
  chmodSync(file, 0o755);
  return file;
}
