// The preload: exposes exactly one `window.berth`, the contract's message pipe, to the sandboxed page. It is
// CommonJS (.cts) because sandboxed preloads cannot be ES modules, and imports nothing but electron.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the one import form a CommonJS preload has
import electron = require('electron');
import type { BerthBridge, ClientMessage, HostMessage } from '../shared/wire.js' with { 'resolution-mode': 'import' };

const { contextBridge, ipcRenderer } = electron;
const CHANNEL = 'berth:msg';

const bridge: BerthBridge = {
  transport: 'electron',
  send(msg: ClientMessage) {
    ipcRenderer.send(CHANNEL, msg);
  },
  onMessage(listener: (msg: HostMessage) => void) {
    const f = (_e: electron.IpcRendererEvent, msg: HostMessage) => listener(msg);
    ipcRenderer.on(CHANNEL, f);
    return () => { ipcRenderer.removeListener(CHANNEL, f); };
  },
};

contextBridge.exposeInMainWorld('berth', bridge);
