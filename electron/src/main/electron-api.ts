// The slice of the `electron` module the shell uses. Production passes the real module; unit tests pass a
// stand-in (the Electron binary cannot run in CI), so every use of Electron goes through this type.
import type * as Electron from 'electron';

export interface ElectronApi {
  app: Pick<Electron.App, 'requestSingleInstanceLock' | 'quit' | 'exit' | 'on' | 'whenReady' | 'getPath' | 'setLoginItemSettings' | 'getLoginItemSettings' | 'isPackaged'>;
  BrowserWindow: new (options: Electron.BrowserWindowConstructorOptions) => Electron.BrowserWindow;
  ipcMain: Pick<Electron.IpcMain, 'on' | 'removeListener'>;
  Menu: Pick<typeof Electron.Menu, 'buildFromTemplate' | 'setApplicationMenu'>;
  Tray: new (image: Electron.NativeImage | string) => Electron.Tray;
  Notification: { new (options: Electron.NotificationConstructorOptions): Electron.Notification; isSupported(): boolean };
  nativeImage: Pick<typeof Electron.nativeImage, 'createFromPath'>;
  shell: Pick<Electron.Shell, 'openExternal'>;
  /** Extension views (extension-views.ts): the privileged scheme and each extension's partition. */
  protocol: Pick<Electron.Protocol, 'registerSchemesAsPrivileged'>;
  session: Pick<typeof Electron.session, 'fromPartition'>;
  /** The dashboard's theme as the app's (so extension views' `prefers-color-scheme` follows it). */
  nativeTheme: Pick<Electron.NativeTheme, 'themeSource'>;
}

/** What the tray and the quit path need from whoever runs the engine (the VM backend, or nothing natively). */
export interface EngineController {
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Let go of the engine without stopping it (quit with "keep the engine running"): the next start attaches. */
  detach?(): Promise<void>;
}
