// A stand-in for the `electron` module, recording what the shell asks of it (the binary cannot run here).
import { EventEmitter } from 'node:events';
import type { ElectronApi } from './electron-api.js';

export class FakeWebContents extends EventEmitter {
  static next = 1;
  id = FakeWebContents.next++;
  sent: [string, unknown][] = [];
  openHandler?: (d: { url: string }) => { action: string };
  send(ch: string, m: unknown) { this.sent.push([ch, m]); }
  isDestroyed() { return false; }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) { this.openHandler = h; }
}

export class FakeWindow extends EventEmitter {
  static created: FakeWindow[] = [];
  webContents = new FakeWebContents();
  loaded?: string;
  shown = 0;
  constructor(readonly options: Record<string, unknown>) { super(); FakeWindow.created.push(this); }
  loadURL(u: string) { this.loaded = u; return Promise.resolve(); }
  maximize() {}
  isMaximized() { return false; }
  isMinimized() { return false; }
  restore() {}
  show() { this.shown++; }
  focus() {}
  isDestroyed() { return false; }
  getNormalBounds() { return { x: 10, y: 20, width: 1000, height: 700 }; }
}

export function fakeElectron(opts: { singleInstance?: boolean } = {}) {
  const app = Object.assign(new EventEmitter(), {
    quitCalls: 0,
    exitCodes: [] as number[],
    loginItems: [] as unknown[],
    requestSingleInstanceLock: () => opts.singleInstance ?? true,
    quit() { app.quitCalls++; },
    exit(code: number) { app.exitCodes.push(code); },
    whenReady: () => Promise.resolve(),
    getPath: () => '/tmp',
    setLoginItemSettings(s: unknown) { app.loginItems.push(s); },
    getLoginItemSettings: () => ({ openAtLogin: false }),
    isPackaged: false,
  });
  const trays: { menu?: unknown; tooltip?: string }[] = [];
  const notifications: { title: string; body: string }[] = [];
  const opened: string[] = [];
  const ipcMain = new EventEmitter();
  FakeWindow.created = [];
  // Extension views' partitions: the scheme handlers each has and how often its storage was cleared.
  const sessions = new Map<string, { handled: Set<string>; cleared: number }>();
  const fromPartition = (partition: string) => {
    const s = sessions.get(partition) ?? { handled: new Set<string>(), cleared: 0 };
    sessions.set(partition, s);
    return {
      protocol: { handle: (scheme: string) => void s.handled.add(scheme), unhandle: (scheme: string) => void s.handled.delete(scheme) },
      clearStorageData: async () => { s.cleared++; },
    };
  };
  const e = {
    app,
    BrowserWindow: FakeWindow,
    ipcMain,
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => undefined },
    Tray: class { state: { menu?: unknown; tooltip?: string } = {}; constructor() { trays.push(this.state); } setContextMenu(m: unknown) { this.state.menu = m; } setToolTip(t: string) { this.state.tooltip = t; } },
    Notification: class { static isSupported() { return true; } constructor(readonly n: { title: string; body: string }) {} show() { notifications.push(this.n); } },
    nativeImage: { createFromPath: (p: string) => p },
    shell: { openExternal: async (u: string) => { opened.push(u); } },
    protocol: { registerSchemesAsPrivileged: () => undefined },
    session: { fromPartition },
    nativeTheme: { themeSource: 'system' },
  };
  return { e: e as unknown as ElectronApi, app, ipcMain, trays, notifications, opened, sessions, nativeTheme: e.nativeTheme, windows: () => FakeWindow.created };
}
