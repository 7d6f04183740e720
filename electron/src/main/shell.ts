// Wires the Electron shell: single instance, the window, the IPC transport, the tray, notifications, start
// at login, and a clean engine stop on quit. Everything Electron comes in through `e` (see electron-api.ts).
import type * as Electron from 'electron';
import { pathToFileURL } from 'node:url';
import type { WorkDone } from '../shared/contract.js';
import type { EngineStatus } from '../shared/types.js';
import type { EngineControls } from '../host/ui/handlers/types.js';
import { readStoredSettings } from '../host/ui/settings-store.js';
import { createUiHost, type UiHost } from '../host/ui/ui-host.js';
import type { HostRegistries } from '../host/ui/handlers/types.js';
import { inProcessVmControls } from '../host/ui/vm-engine-controls.js';
import type { VmEngineController } from '../host/vm/engine-controller.js';
import type { ManagedVm } from '../host/vm/vm-service.js';
import type { ElectronApi, EngineController } from './electron-api.js';
import { extensionViews } from './extension-views.js';
import { createIpcBridge } from './ipc-bridge.js';
import { createMainWindow } from './main-window.js';
import { trayMenuTemplate } from './tray-menu.js';
import { loadWindowState } from './window-state.js';

export interface ShellOptions {
  engine: string;
  /**
   * The Berth VM this app runs: the tray starts/stops it, and the dashboard restarts and resets it, compares
   * saved settings with the running VM's, and shows its start stages and failures as the engine status.
   */
  vm?: VmEngineController<ManagedVm>;
  /** Another engine controller (tray only); absent with `vm` when the engine runs natively. */
  controller?: EngineController;
  /** Dashboard controls of a VM run by another process (`berth daemon`, when scripts/start.sh started it). */
  controls?: EngineControls;
  indexHtml: string;
  preload: string;
  trayIcon: string;
  stateFile: string;
  /** Berth's settings file (~/.berth/settings.json), edited in the Settings view. */
  settingsFile?: string;
  /** This app's own log, for Troubleshoot's "Host log". */
  hostLogFile?: string;
  /** Settings → Registries: the user's logins in the OS keychain and their docker config. */
  registries?: HostRegistries;
  startAtLogin: boolean;
  /** Leave the engine (VM) running when Berth quits, whatever the settings say (BERTH_KEEP_ENGINE=1). */
  keepEngineOnQuit: boolean;
  /**
   * The user-side set-up every start does (tools linked in ~/.berth/bin, config.json, the berth context; see
   * host-tools-on-start.ts): run once the app is ready, its report written to `log`.
   */
  hostTools?: () => string;
  /** The app's own log (the host log); stderr when absent. */
  log?: (line: string) => void;
  /** For tests: the host behind the contract. */
  host?: UiHost;
  /**
   * Docker extensions installed under `home` (Berth's home), their tabs as <webview>s on their own scheme and
   * partition (extension-views.ts): `preload` is dist/preload/extension.cjs, `clientScript` the built ddClient.
   */
  extensionViews?: { home: string; preload: string; clientScript: string };
}

export interface RunningShell {
  host: UiHost;
  openDashboard(): void;
  quit(): Promise<void>;
}

/** Long work from the dashboard ended; the window may be hidden by now. */
export function workNotification(w: WorkDone): { title: string; body: string } {
  const what = w.kind === 'pull' ? 'Pull' : 'Push';
  return w.ok
    ? { title: `${w.kind === 'pull' ? 'Pulled' : 'Pushed'} ${w.ref}`, body: `${what} finished.` }
    : { title: `${what} of ${w.ref} failed`, body: w.message ?? 'The engine gave no reason.' };
}

export function notificationFor(prev: EngineStatus | undefined, next: EngineStatus): { title: string; body: string } | undefined {
  if (!prev || prev.state === next.state) return undefined;
  if (next.state === 'running' && prev.state === 'starting') return { title: 'Berth is running', body: `Engine ${next.version ?? ''} is ready.`.replace('  ', ' ') };
  if (next.state === 'error') return { title: 'Berth engine error', body: next.reason ?? 'The engine reported an error.' };
  if (next.state === 'stopped' && prev.state === 'running') return { title: 'Berth engine stopped', body: next.reason ?? 'The engine is no longer running.' };
  return undefined;
}

export async function startShell(e: ElectronApi, opts: ShellOptions): Promise<RunningShell | undefined> {
  if (!e.app.requestSingleInstanceLock()) {
    e.app.quit();
    return undefined;
  }
  await e.app.whenReady();
  const log = opts.log ?? ((line: string) => process.stderr.write(line));
  if (opts.hostTools) {
    // A failure here (an unwritable home, a config.json Berth must not touch) is reported; the dashboard still opens.
    try {
      log(`${new Date().toISOString()} host tools:\n${opts.hostTools()}\n`);
    } catch (err) {
      log(`${new Date().toISOString()} host tools were not set up: ${(err as Error).message}\n`);
    }
  }
  e.app.setLoginItemSettings({ openAtLogin: opts.startAtLogin });
  e.Menu.setApplicationMenu(null);

  const controller: EngineController | undefined = opts.vm ?? opts.controller;
  const host = opts.host ?? createUiHost({
    engine: opts.engine,
    ...(opts.settingsFile ? { settingsPath: opts.settingsFile } : {}),
    ...(opts.hostLogFile ? { hostLogPath: opts.hostLogFile } : {}),
    ...(opts.registries ? { registries: opts.registries } : {}),
    ...(opts.extensionViews ? { extensions: { home: opts.extensionViews.home } } : {}),
    controls: {
      ...(opts.vm ? inProcessVmControls(opts.vm) : (opts.controls ?? (controller ? { restartEngine: () => controller.restart() } : {}))),
      setStartAtLogin: (on) => e.app.setLoginItemSettings({ openAtLogin: on }),
      // The dashboard's own media queries follow it too, so its "system" stays the OS's and its light/dark agree.
      setTheme: (theme) => { e.nativeTheme.themeSource = theme; },
    },
  });
  const views = opts.extensionViews && host.extensions ? { ...opts.extensionViews, store: host.extensions.manager.store } : undefined;
  if (views) host.extensions?.useElectronViews();
  const viewWiring = views ? extensionViews(e, { store: views.store, preload: views.preload, clientScript: views.clientScript, log }) : undefined;
  if (viewWiring) {
    host.extensions?.onRemoved((ext) => {
      viewWiring.forget(ext.id).catch((err: Error) => log(`${new Date().toISOString()} extension ${ext.id}'s storage was not cleared: ${err.message}\n`));
    });
  }
  const indexUrl = pathToFileURL(opts.indexHtml).href;
  const bridge = createIpcBridge(e, host, indexUrl);

  let win: Electron.BrowserWindow | undefined;
  const openDashboard = () => {
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return;
    }
    win = createMainWindow(e, { preload: opts.preload, indexUrl, state: loadWindowState(opts.stateFile), stateFile: opts.stateFile, webviewTag: !!views });
    bridge.attach(win.webContents);
    viewWiring?.attach(win.webContents);
  };
  openDashboard();
  e.app.on('second-instance', openDashboard);
  // Closing the window leaves Berth in the tray, as Docker Desktop does.
  e.app.on('window-all-closed', () => undefined);

  const notify = (n: { title: string; body: string }) => { if (e.Notification.isSupported()) new e.Notification(n).show(); };
  const control = (what: 'start' | 'stop' | 'restart') => () => {
    controller?.[what]().catch((err: Error) => notify({ title: `Could not ${what} the engine`, body: err.message }));
  };

  let quitting: Promise<void> | undefined;
  const quit = () => {
    quitting ??= (async () => {
      if (controller) {
        // The Settings view's "keep the engine running when Berth quits", read now: it may have changed since start.
        const keep = opts.keepEngineOnQuit || (opts.settingsFile ? (await readStoredSettings(opts.settingsFile).catch(() => undefined))?.keepEngineOnQuit === true : false);
        await (keep ? controller.detach?.() : controller.stop())?.catch(() => undefined);
      }
      host.close();
      bridge.dispose();
      e.app.exit(0);
    })();
    return quitting;
  };
  e.app.on('before-quit', (event) => { event.preventDefault(); void quit(); });

  const tray = new e.Tray(e.nativeImage.createFromPath(opts.trayIcon));
  tray.setToolTip('Berth');
  const actions = { openDashboard, start: control('start'), stop: control('stop'), restart: control('restart'), quit: () => void quit() };
  let status = (await host.requests['engine.status']()) as EngineStatus;
  const renderTray = () => tray.setContextMenu(e.Menu.buildFromTemplate(trayMenuTemplate(status, actions, !!controller)));
  renderTray();
  host.subscribe((ch, value) => {
    if (ch === 'engine.status') {
      const n = notificationFor(status, value as EngineStatus);
      status = value as EngineStatus;
      renderTray();
      if (n) notify(n);
    } else if (ch === 'work') {
      notify(workNotification(value as WorkDone));
    }
  });
  return { host, openDashboard, quit };
}
