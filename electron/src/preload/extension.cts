// The preload of an extension's <webview> (its own partition and origin, sandboxed, context-isolated): exposes
// `__berthFrameBridge`, the one pipe ddClient speaks over, before any script of the page runs. It sends only to the
// guest's embedder, the dashboard's <webview> element (ipcRenderer.sendToHost), whose relay knows the extension by
// the element, never by anything the page says; answers come back on the same channel. Nothing else of Electron or
// Node reaches the page. CommonJS (.cts): sandboxed preloads cannot be ES modules.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the one import form a CommonJS preload has
import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;
// The same name as renderer/src/views/extensions/relay.ts VIEW_CHANNEL (a preload imports nothing but electron).
const CHANNEL = 'berth:ext';

contextBridge.exposeInMainWorld('__berthFrameBridge', {
  post(message: unknown) {
    ipcRenderer.sendToHost(CHANNEL, message);
  },
  listen(onMessage: (message: unknown) => void) {
    ipcRenderer.on(CHANNEL, (_e: electron.IpcRendererEvent, message: unknown) => onMessage(message));
  },
});
