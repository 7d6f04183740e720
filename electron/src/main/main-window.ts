// The one app window: sandboxed, isolated, no Node in the page, links open in the user's browser.
import type * as Electron from 'electron';
import type { ElectronApi } from './electron-api.js';
import { saveWindowState, type WindowState } from './window-state.js';

export interface MainWindowOptions {
  preload: string;
  /** file:// URL of renderer/dist/index.html. */
  indexUrl: string;
  state: WindowState;
  stateFile: string;
  /** Extension tabs are <webview>s (each checked on attach: extension-views.ts). */
  webviewTag?: boolean;
}

export function createMainWindow(e: ElectronApi, opts: MainWindowOptions): Electron.BrowserWindow {
  const win = new e.BrowserWindow({
    ...opts.state,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Berth',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      webviewTag: opts.webviewTag ?? false,
    },
  });
  if (opts.state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  // Published-port links and docs go to the user's browser; the window itself never navigates away.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void e.shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== opts.indexUrl) event.preventDefault();
  });

  win.on('close', () => {
    const b = win.getNormalBounds();
    saveWindowState(opts.stateFile, { ...b, maximized: win.isMaximized() });
  });
  void win.loadURL(opts.indexUrl);
  return win;
}
