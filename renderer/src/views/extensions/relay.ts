// The dashboard's end of the ddClient bridge: accepts FrameMessages only from this extension's view (in a browser
// its frame's window and origin, both set by the browser; in the Electron shell its <webview> element, which only
// that guest's preload can send to), names the extension itself when relaying to the host, and answers the calls
// the dashboard owns (toasts, navigation, opening links). Closing the relay ends every stream it holds.
import type { BerthError } from '@berth/electron/shared/errors.js';
import {
  isFrameMessage, type BridgeError, type DashboardCall, type DashboardMessage, type ExecChunk,
} from '@berth/electron/shared/extension-bridge.js';
import type { BerthApi, StreamHandle } from '@berth/electron/shared/client.js';

/** The channel an Electron extension view's preload and the dashboard speak on (electron/src/preload/extension.cts). */
export const VIEW_CHANNEL = 'berth:ext';

/** One extension view's messages: what it sent (already known to come from that view) and how to answer it. */
export interface ViewPort {
  reply(m: DashboardMessage): void;
  /** Starts delivering the view's messages; returns the stop. */
  listen(onMessage: (data: unknown) => void): () => void;
}

/** A browser frame: messages whose source is its window and whose origin is its origin. */
export function framePort(frame: HTMLIFrameElement, origin: string): ViewPort {
  return {
    reply: (m) => frame.contentWindow?.postMessage(m, origin),
    listen(onMessage) {
      const f = (ev: MessageEvent) => { if (ev.source === frame.contentWindow && ev.origin === origin) onMessage(ev.data); };
      window.addEventListener('message', f);
      return () => window.removeEventListener('message', f);
    },
  };
}

/** What the relay needs of Electron's <webview> element (its guest's `ipcRenderer.sendToHost` arrive as events). */
export interface WebviewElement extends EventTarget {
  send(channel: string, ...args: unknown[]): void;
}

/** An Electron <webview>: its guest's sendToHost messages on VIEW_CHANNEL, answered with send(). */
export function webviewPort(view: WebviewElement): ViewPort {
  return {
    reply: (m) => view.send(VIEW_CHANNEL, m),
    listen(onMessage) {
      const f = (ev: Event) => {
        const e = ev as Event & { channel?: string; args?: unknown[] };
        if (e.channel === VIEW_CHANNEL) onMessage(e.args?.[0]);
      };
      view.addEventListener('ipc-message', f);
      return () => view.removeEventListener('ipc-message', f);
    },
  };
}

export interface DashboardSide {
  call(call: DashboardCall): Promise<unknown>;
}

function bridgeError(e: unknown): BridgeError {
  const err = e as Partial<BerthError> & { message?: string };
  const message = err.message ?? String(e);
  return err.status ? { name: 'ServiceError', message, statusCode: err.status } : { message };
}

export function startRelay(api: BerthApi, view: ViewPort, ext: string, dashboard: DashboardSide): () => void {
  const streams = new Map<number, StreamHandle<never>>();
  const reply = (m: DashboardMessage) => view.reply(m);
  const answer = (id: number, p: Promise<unknown>) => p.then(
    (value) => reply({ berthExt: 1, id, op: 'result', ok: true, value: value ?? null }),
    (e: unknown) => reply({ berthExt: 1, id, op: 'result', ok: false, error: bridgeError(e) }),
  );

  const onMessage = (data: unknown) => {
    if (!isFrameMessage(data)) return;
    const m = data;
    switch (m.op) {
      case 'call':
        if (m.call.kind.startsWith('ui.')) void answer(m.id, dashboard.call(m.call as DashboardCall));
        else void answer(m.id, api.invoke('extensions.call', { ext, call: m.call as Exclude<typeof m.call, DashboardCall> }));
        return;
      case 'exec':
        void answer(m.id, api.invoke('extensions.exec', { ext, exec: m.exec }));
        return;
      case 'stream': {
        const id = m.id;
        const send = (chunk: ExecChunk) => reply({ berthExt: 1, id, op: 'chunk', chunk });
        streams.set(id, api.stream('extensions.execStream', { ext, exec: m.exec, splitOutputLines: m.splitOutputLines ?? false }, {
          onData: send,
          onEnd: (err) => {
            streams.delete(id);
            if (err) { send({ stderr: err.message }); send({ exit: 1 }); }
          },
        }) as StreamHandle<never>);
        return;
      }
      case 'close':
        streams.get(m.id)?.close();
        streams.delete(m.id);
        return;
    }
  };
  const stop = view.listen(onMessage);
  return () => {
    stop();
    for (const s of streams.values()) s.close();
    streams.clear();
  };
}
