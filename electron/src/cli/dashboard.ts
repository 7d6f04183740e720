// `berth dashboard`: serves the Berth UI in a browser against any Docker-API engine socket, until stopped.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { berthPaths } from '../host/paths.js';
import { dockerConfigDir } from '../host/context/docker-context.js';
import { openRegistryCredentials } from '../host/credentials/open.js';
import { DockerConfigSetup } from '../host/toolchain/docker-config-setup.js';
import { SYSTEM_BIN_DIR } from '../host/toolchain/system-links.js';
import { startBrowserServer } from '../host/ui/browser-server.js';
import { createUiHost } from '../host/ui/ui-host.js';
import { vmControlsFor } from './vm/remote-engine-controls.js';

const USAGE = `usage: berth dashboard [--engine unix:///path/to/socket] [--print-url] [--port N]
                       [--daemon-json PATH] [--engine-log PATH] [--host-log PATH] [--settings PATH]
                       [--vm-control PATH] [--ui-dir DIR] [--extensions-catalog URL|FILE]

Serves the Berth dashboard on http://127.0.0.1 (loopback only, random token in the URL) until stopped.
  --engine       the engine socket (default: $DOCKER_HOST, else ~/.berth/run/docker.sock)
  --print-url    print only the URL on stdout (for scripts and tests)
  --port         listen on this port instead of a random free one
  --daemon-json  the engine's daemon.json, editable in Settings
  --engine-log   the engine's log file, shown in Troubleshoot
  --host-log     the host process's log file, shown in Troubleshoot
  --vm-control   \`berth daemon\`'s control socket: restart, factory reset, VM status and usage in the dashboard
                 (found by itself when --engine is the Berth VM's socket, ~/.berth/run/docker.sock)
  --settings     Berth's settings file, edited in Settings (default: ~/.berth/settings.json, or under $BERTH_HOME)
  --ui-dir       the built renderer (default: renderer/dist of this checkout, or $BERTH_UI_DIR)
  --extensions-catalog  a JSON list of extensions for the Extensions view's catalog
                 (default: $BERTH_EXTENSIONS_CATALOG; extensions install under $BERTH_HOME/extensions)`;

/** renderer/dist beside this package in the monorepo (electron/dist/cli → renderer/dist). */
export function defaultUiDir(): string {
  if (process.env.BERTH_UI_DIR) return process.env.BERTH_UI_DIR;
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', '..', 'renderer', 'dist');
}

export function defaultEngine(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  const paths = berthPaths(env);
  const berthd = path.join(paths.run, 'berthd.sock');
  // scripts/start.sh runs berthd natively on run/berthd.sock; the app's tunnel serves run/docker.sock.
  return `unix://${existsSync(paths.dockerSocket) || !existsSync(berthd) ? paths.dockerSocket : berthd}`;
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      engine: { type: 'string' },
      'print-url': { type: 'boolean', default: false },
      port: { type: 'string' },
      'daemon-json': { type: 'string' },
      'engine-log': { type: 'string' },
      'host-log': { type: 'string' },
      'vm-control': { type: 'string' },
      settings: { type: 'string' },
      'ui-dir': { type: 'string' },
      'extensions-catalog': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  const uiDir = path.resolve(values['ui-dir'] ?? defaultUiDir());
  if (!existsSync(path.join(uiDir, 'index.html'))) {
    throw new Error(`the dashboard UI is not built (${uiDir}/index.html missing): run \`npm run build -w renderer\``);
  }
  const engine = values.engine ?? defaultEngine();
  const vm = await vmControlsFor(engine, values['vm-control']);
  const hostLog = values['host-log'] ?? vm?.hostLog;
  const paths = berthPaths();
  const settingsPath = path.resolve(values.settings ?? paths.settings);
  const catalog = values['extensions-catalog'] ?? process.env.BERTH_EXTENSIONS_CATALOG;
  const host = createUiHost({
    engine,
    // Settings → Registries: the logins in the OS keychain (pulls and pushes from the dashboard send them).
    registries: { credentials: openRegistryCredentials(paths), dockerConfig: new DockerConfigSetup(paths, dockerConfigDir()), settingsPath, systemLinks: { paths, dir: process.env.BERTH_SYSTEM_BIN_DIR ?? SYSTEM_BIN_DIR } },
    ...(values['daemon-json'] ? { daemonJsonPath: path.resolve(values['daemon-json']) } : {}),
    ...(values['engine-log'] ? { engineLogPath: path.resolve(values['engine-log']) } : {}),
    ...(hostLog ? { hostLogPath: path.resolve(hostLog) } : {}),
    settingsPath,
    ...(vm ? { controls: vm.controls } : {}),
    extensions: {
      home: paths.home,
      ...(catalog ? { catalog } : {}),
    },
  });
  const server = await startBrowserServer({ host, staticDir: uiDir, port: values.port ? Number(values.port) : 0 });
  if (values['print-url']) process.stdout.write(`${server.url}\n`);
  else process.stdout.write(`\n  Berth dashboard (engine ${host.endpoint}):\n\n      ${server.url}\n\n  Stop: Ctrl-C\n\n`);

  const stop = () => {
    host.close();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
