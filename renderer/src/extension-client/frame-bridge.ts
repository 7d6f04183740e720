// The frame's end of the ddClient bridge. Every call is answered by id; streaming execs get chunks until their exit.
// Two transports: in a browser the page is a frame of the dashboard and posts FrameMessages to the dashboard window
// only (by origin), accepting answers only from it; in the Electron shell it is a <webview> whose preload
// (electron/src/preload/extension.cts) exposes `__berthFrameBridge`, a pipe to its embedder and nothing else.
import type { BridgeError, DashboardMessage, ExecChunk, ExecSpec, ExtensionCall, FrameMessage } from '@berth/electron/shared/extension-bridge.js';

type Pending = { resolve(v: unknown): void; reject(e: BridgeError): void };

export interface FrameBridge {
  call(call: ExtensionCall): Promise<unknown>;
  exec(exec: ExecSpec): Promise<unknown>;
  stream(exec: ExecSpec, splitOutputLines: boolean, onChunk: (c: ExecChunk) => void): { close(): void };
}

/** How FrameMessages leave the page and answers come back. */
export interface FramePort {
  post(m: FrameMessage): void;
  listen(onMessage: (m: unknown) => void): void;
}

declare global {
  interface Window {
    /** The Electron extension view's preload pipe (absent in a browser). */
    __berthFrameBridge?: FramePort;
  }
}

/** A browser frame: postMessage to the dashboard window, answers only from it and its origin. */
export function windowPort(dashboardOrigin: string, target: Window = window.parent): FramePort {
  return {
    post: (m) => target.postMessage(m, dashboardOrigin),
    listen: (onMessage) => window.addEventListener('message', (ev: MessageEvent) => {
      if (ev.origin === dashboardOrigin && ev.source === target) onMessage(ev.data);
    }),
  };
}

export function createFrameBridge(port: FramePort): FrameBridge {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const streams = new Map<number, (c: ExecChunk) => void>();
  const post = (m: FrameMessage) => port.post(m);

  port.listen((data: unknown) => {
    const m = data as DashboardMessage;
    if (!m || m.berthExt !== 1 || typeof m.id !== 'number') return;
    if (m.op === 'chunk') {
      const s = streams.get(m.id);
      if (!s) return;
      if ('exit' in m.chunk) streams.delete(m.id);
      s(m.chunk);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(m.error);
  });

  // Leaving the page ends every process it started (the dashboard also closes them when the tab goes away).
  window.addEventListener('pagehide', () => {
    for (const id of streams.keys()) post({ berthExt: 1, id, op: 'close' });
    streams.clear();
  });

  const ask = (m: Omit<FrameMessage, 'id' | 'berthExt'>) => new Promise<unknown>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    post({ berthExt: 1, id, ...m } as FrameMessage);
  });

  return {
    call: (call) => ask({ op: 'call', call } as Omit<FrameMessage, 'id' | 'berthExt'>),
    exec: (exec) => ask({ op: 'exec', exec } as Omit<FrameMessage, 'id' | 'berthExt'>),
    stream(exec, splitOutputLines, onChunk) {
      const id = nextId++;
      streams.set(id, onChunk);
      post({ berthExt: 1, id, op: 'stream', exec, splitOutputLines });
      return {
        close: () => {
          if (!streams.has(id)) return;
          post({ berthExt: 1, id, op: 'close' });
        },
      };
    },
  };
}
