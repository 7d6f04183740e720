// Electron IPC transport of the UI contract: each window's webContents gets a host session. Messages are
// accepted only from our own window showing our own page.
import type * as Electron from 'electron';
import type { HostMessage } from '../shared/wire.js';
import { createSession, type Session } from '../host/ui/session.js';
import type { UiHost } from '../host/ui/ui-host.js';
import type { ElectronApi } from './electron-api.js';

export const CHANNEL = 'berth:msg';

export interface IpcBridge {
  /** Serve this window's page; its session ends when the page goes away. */
  attach(contents: Electron.WebContents): void;
  dispose(): void;
}

export function createIpcBridge(e: ElectronApi, host: UiHost, trustedUrl: string): IpcBridge {
  const sessions = new Map<number, Session>();

  const onMessage = (event: Electron.IpcMainEvent, msg: unknown) => {
    const session = sessions.get(event.sender.id);
    // A frame we did not attach, or one that navigated somewhere else, gets nothing.
    if (!session || event.senderFrame?.url !== trustedUrl) return;
    session.receive(msg);
  };
  e.ipcMain.on(CHANNEL, onMessage);

  return {
    attach(contents) {
      sessions.get(contents.id)?.close();
      const session = createSession(host, (m: HostMessage) => {
        if (!contents.isDestroyed()) contents.send(CHANNEL, m);
      });
      sessions.set(contents.id, session);
      const end = () => { session.close(); if (sessions.get(contents.id) === session) sessions.delete(contents.id); };
      contents.once('destroyed', end);
      // A reload starts a new page with no memory of the old one's streams.
      contents.on('did-start-navigation', (details) => { if (details.isMainFrame && !details.isSameDocument) { end(); this.attach(contents); } });
    },
    dispose() {
      e.ipcMain.removeListener(CHANNEL, onMessage);
      for (const s of sessions.values()) s.close();
      sessions.clear();
    },
  };
}
