// The Electron main process entry (electron-builder's "main"). Plain wiring: the real `electron` module and
// the paths of the packaged app, handed to startShell.
import * as electron from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vmControlsFor } from '../cli/vm/remote-engine-controls.js';
import { berthPaths } from '../host/paths.js';
import { dockerConfigDir } from '../host/context/docker-context.js';
import { serveCredentialHelper } from '../host/credentials/helper-service.js';
import { openRegistryCredentials } from '../host/credentials/open.js';
import { DockerConfigSetup } from '../host/toolchain/docker-config-setup.js';
import { SYSTEM_BIN_DIR } from '../host/toolchain/system-links.js';
import { vmEngineController } from '../host/vm/engine-controller.js';
import { vmFiles } from '../host/vm/vm-files.js';
import { appendTo, logVmEvents } from '../host/vm/vm-log.js';
import type { ElectronApi } from './electron-api.js';
import { registerExtensionScheme } from './extension-views.js';
import { hostToolsOnStart } from './host-tools-on-start.js';
import { startShell } from './shell.js';

// Before anything is awaited: a privileged scheme must be registered before the app is ready.
registerExtensionScheme(electron as unknown as ElectronApi);

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '..', '..');
const paths = berthPaths();
// Packaged: resources/app/renderer (electron-builder.yml); from a checkout: BERTH_UI_DIR=renderer/dist.
const uiDir = process.env.BERTH_UI_DIR ?? path.join(appRoot, 'renderer');
// The app runs the Berth VM unless told to use an engine that is already there (DOCKER_HOST, e.g. a native berthd).
const vm = process.env.DOCKER_HOST ? undefined : vmEngineController(paths);
// DOCKER_HOST at the Berth VM's socket (scripts/start.sh): `berth daemon` runs the VM; the dashboard drives it from here.
const remote = process.env.DOCKER_HOST ? await vmControlsFor(process.env.DOCKER_HOST, undefined) : undefined;
// The app is the VM's host process here: its log is Troubleshoot's "Host log", as berth daemon's is in browser mode.
const hostLogFile = vmFiles(paths).hostLog;
if (vm) logVmEvents(vm.service, appendTo(hostLogFile));

const engine = process.env.DOCKER_HOST ?? `unix://${paths.dockerSocket}`;
const credentials = openRegistryCredentials(paths);

/**
 * docker-credential-berth's launcher asks the running app for `get` and `list` instead of starting Node per pull
 * (host/credentials/helper-service.ts); without it the launcher runs the Node helper itself. Only the instance that
 * holds the single-instance lock and runs the VM serves: with DOCKER_HOST set, `berth daemon` (the VM) or
 * scripts/start.sh --native (`berth credentials serve`) does, so one service owns the service file.
 */
function serveCredentials(): void {
  serveCredentialHelper(paths, () => credentials).then(
    (service) => process.once('exit', () => service.close()),
    (err: Error) => appendTo(hostLogFile)(`${new Date().toISOString()} credential helper service not started: ${err.message}\n`),
  );
}

void startShell(electron as unknown as ElectronApi, {
  engine,
  // The packaged app's tools are at <resources>/tools (host/toolchain/bundled-tools.ts): linked as berth start does.
  hostTools: hostToolsOnStart(paths, engine),
  log: appendTo(hostLogFile),
  settingsFile: paths.settings,
  registries: { credentials, dockerConfig: new DockerConfigSetup(paths, dockerConfigDir()), settingsPath: paths.settings, systemLinks: { paths, dir: process.env.BERTH_SYSTEM_BIN_DIR ?? SYSTEM_BIN_DIR } },
  ...(vm ? { vm, hostLogFile } : {}),
  ...(remote ? { controls: remote.controls, hostLogFile: remote.hostLog, ...(remote.tray ? { controller: remote.tray } : {}) } : {}),
  indexHtml: path.join(uiDir, 'index.html'),
  preload: path.join(here, '..', 'preload', 'index.cjs'),
  extensionViews: {
    home: paths.home,
    preload: path.join(here, '..', 'preload', 'extension.cjs'),
    clientScript: path.join(uiDir, 'extension-client', 'ddclient.js'),
  },
  trayIcon: path.join(appRoot, 'build', 'tray.png'),
  stateFile: path.join(electron.app.getPath('userData'), 'window-state.json'),
  startAtLogin: electron.app.getLoginItemSettings().openAtLogin,
  keepEngineOnQuit: process.env.BERTH_KEEP_ENGINE === '1',
}).then(
  // A VM that fails to start leaves the app up: the dashboard shows the engine's state and what to do.
  (shell) => {
    if (!shell) return;
    if (vm) serveCredentials();
    return vm?.start().catch((err: unknown) => process.stderr.write(`berth: the VM did not start: ${String(err)}\n`));
  },
  (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? err.stack : String(err)}\n`);
    electron.app.exit(1);
  },
);
