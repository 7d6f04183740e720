import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CREDENTIAL_HELPER_FAST_PATH } from './credential-helper-fast-path.js';

/**
 * The tools a packaged app carries that are Berth's own Node code: there is no system Node in a packaged app, so a
 * launcher in `<resources>/tools` runs the app's own binary as Node (`ELECTRON_RUN_AS_NODE=1`) on a script inside
 * `app.asar`. Each launcher finds the app from its own real path, as ~/.berth/bin, ~/.berth/cli-plugins and
 * /usr/local/bin link to it.
 */
export interface AppNodeTool {
  name: string;
  dest: 'bin' | 'cli-plugins';
  /** What the app's binary runs, relative to the resources dir. */
  script: string;
  /** It speaks no TLS: NODE_EXTRA_CA_CERTS, which Node parses before the first line, is dropped. */
  noTls?: boolean;
  /** bash lines run first, that may answer without starting the app's binary (credential-helper-fast-path.ts). */
  fastPath?: string;
}

export const APP_NODE_TOOLS: AppNodeTool[] = [
  // The one-file bundle a checkout uses (it runs the helper when it is the main module; the keyring's native module
  // is unpacked beside it by electron-builder).
  // Its get and list are answered by the running app when there is one.
  { name: 'docker-credential-berth', dest: 'bin', script: 'app.asar/dist/cli/docker-credential-berth.cjs', noTls: true, fastPath: CREDENTIAL_HELPER_FAST_PATH },
  // `docker extension …`: the checkout's plugin entry, which imports dist/cli/docker-extension-plugin.js beside it.
  { name: 'docker-extension', dest: 'cli-plugins', script: 'app.asar/bin/docker-extension' },
];

export const APP_EXECUTABLE: Record<string, string> = {
  // Relative to the resources dir: Berth.app/Contents/Resources → Contents/MacOS/Berth.
  darwin: '../MacOS/Berth',
  // electron-builder.yml sets linux.executableName: berth, beside resources/.
  linux: '../berth',
};

export function shellLauncher(appExecutable: string, tool: AppNodeTool): string {
  const noTls = tool.noTls ? '# No TLS here: Node would read and parse the whole extra CA bundle before the first line.\nunset NODE_EXTRA_CA_CERTS\n' : '';
  const head = tool.fastPath
    ? `#!/bin/bash\n# ${tool.name}: the running Berth app answers, or the app's own binary runs it as Node (ELECTRON_RUN_AS_NODE).\n${tool.fastPath}`
    : `#!/bin/sh\n# ${tool.name}: the Berth app's own binary runs it as Node (ELECTRON_RUN_AS_NODE).\n`;
  return `${head}self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac
done
resources=$(cd "$(dirname "$self")/../.." && pwd -P)
${noTls}ELECTRON_RUN_AS_NODE=1 exec "$resources/${appExecutable}" "$resources/${tool.script}" "$@"
`;
}

/**
 * Windows: `tools/bin/docker-credential-berth.cmd` under `<install>/resources`, run by the docker CLI through
 * PATHEXT. It finds the app through %~dp0, so ~/.berth/bin gets a one-line .cmd calling it by full path, not a copy
 * (host/toolchain/tool-links.ts). The docker CLI takes only `.exe` files as plugins there, so Windows has no
 * `docker-extension` launcher (it would need a real executable, e.g. a Node single-executable).
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

/** Writes the launchers into a target's tools dir (`<toolsDir>/bin/docker-credential-berth`, …); returns their paths. */
export function writeAppNodeLaunchers(toolsDir: string, platform: string): string[] {
  if (platform === 'win32') {
    const file = path.join(toolsDir, 'bin', 'docker-credential-berth.cmd');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, cmdLauncher());
    return [file];
  }
  const exe = APP_EXECUTABLE[platform];
  if (!exe) return [];
  return APP_NODE_TOOLS.map((tool) => {
    const file = path.join(toolsDir, tool.dest, tool.name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, shellLauncher(exe, tool));
    chmodSync(file, 0o755);
    return file;
  });
}
