// The dashboard's end of the ddClient bridge: accepts FrameMessages only from this extension's frame (its window
// and its origin, both set by the browser), names the extension itself when relaying to the host, and answers
// the calls the dashboard owns (toasts, navigation, opening links). Closing the relay ends every stream it holds.
import type { BerthError } from '@berth/electron/shared/errors.js';
import {
  isFrameMessage, type BridgeError, type DashboardCall, type DashboardMessage, type ExecChunk,
} from '@berth/electron/shared/extension-bridge.js';
import type { BerthApi, StreamHandle } from '@berth/electron/shared/client.js';

export interface DashboardSide {
  call(call: DashboardCall): Promise<unknown>;
}

function bridgeError(e: unknown): BridgeError {
  const err = e as Partial<BerthError> & { message?: string };
  const message = err.message ?? String(e);
  return err.status ? { name: 'ServiceError', message, statusCode: err.status } : { message };
}

export function startRelay(api: BerthApi, frame: HTMLIFrameElement, ext: string, origin: string, dashboard: DashboardSide): () => void {
  const streams = new Map<number, StreamHandle<never>>();
  const reply = (m: DashboardMessage) => frame.contentWindow?.postMessage(m, origin);
  const answer = (id: number, p: Promise<unknown>) => p.then(
    (value) => reply({ berthExt: 1, id, op: 'result', ok: true, value: value ?? null }),
    (e: unknown) => reply({ berthExt: 1, id, op: 'result', ok: false, error: bridgeError(e) }),
  );

  const onMessage = (ev: MessageEvent) => {
    if (ev.source !== frame.contentWindow || ev.origin !== origin || !isFrameMessage(ev.data)) return;
    const m = ev.data;
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
  window.addEventListener('message', onMessage);
  return () => {
    window.removeEventListener('message', onMessage);
    for (const s of streams.values()) s.close();
    streams.clear();
  };
}
