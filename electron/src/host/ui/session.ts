// One UI connection (a browser tab's WebSocket or an Electron window): routes its requests and streams to the
// UiHost, forwards engine events to it, and releases every engine stream when it goes away.
import { REQUEST_CHANNELS, STREAM_CHANNELS, type RequestChannel, type StreamChannel } from '../../shared/contract.js';
import type { ContractError } from '../../shared/errors.js';
import { isClientMessage, type HostMessage } from '../../shared/wire.js';
import { toContractError } from './engine-errors.js';
import type { StreamControl } from './handlers/index.js';
import type { UiHost } from './ui-host.js';

export interface Session {
  receive(msg: unknown): void;
  close(): void;
}

const requestSet = new Set<string>(REQUEST_CHANNELS);
const streamSet = new Set<string>(STREAM_CHANNELS);

export function createSession(host: UiHost, send: (msg: HostMessage) => void): Session {
  const open = new Map<number, StreamControl<unknown>>();
  let closed = false;
  const post = (msg: HostMessage) => { if (!closed) send(msg); };
  const unsubscribe = host.subscribe((ch, value) => post({ t: 'event', ch, value }));
  const fail = (err: unknown, ch: RequestChannel | StreamChannel): ContractError => toContractError(err, host.describe(ch));

  async function request(id: number, ch: RequestChannel, args: unknown): Promise<void> {
    try {
      const handler = host.requests[ch] as (a: unknown) => Promise<unknown>;
      const value = await handler(args ?? {});
      post({ t: 'res', id, ok: true, value: value ?? null });
    } catch (err) {
      post({ t: 'res', id, ok: false, error: fail(err, ch) });
    }
  }

  async function stream(id: number, ch: StreamChannel, args: unknown, early: unknown[]): Promise<void> {
    let ended = false;
    const sink = {
      data: (value: unknown) => { if (!ended) post({ t: 'data', id, value }); },
      end: (err?: unknown) => {
        if (ended) return;
        ended = true;
        open.delete(id);
        post(err === undefined ? { t: 'end', id } : { t: 'end', id, error: fail(err, ch) });
      },
    };
    try {
      const opener = host.streams[ch] as (a: unknown, s: typeof sink) => Promise<StreamControl<unknown>>;
      const control = await opener(args ?? {}, sink);
      if (ended || closed || !open.has(id)) control.close();
      else {
        open.set(id, control);
        // Input sent while the engine was still starting the stream (keys typed right after "Open terminal").
        for (const data of early.splice(0)) control.input?.(data);
      }
    } catch (err) {
      sink.end(err);
    }
  }

  return {
    receive(msg) {
      if (closed || !isClientMessage(msg)) return;
      switch (msg.t) {
        case 'req':
          if (!requestSet.has(msg.ch)) post({ t: 'res', id: msg.id, ok: false, error: { code: 'invalid', message: `unknown channel ${msg.ch}` } });
          else void request(msg.id, msg.ch as RequestChannel, msg.args);
          return;
        case 'open':
          if (!streamSet.has(msg.ch)) { post({ t: 'end', id: msg.id, error: { code: 'invalid', message: `unknown stream ${msg.ch}` } }); return; }
          {
            // Reserve the id so a close that arrives before the engine answers is honoured, and keep any input that
            // arrives meanwhile for the stream once it is open: dropping it lost a user's first keystrokes.
            const early: unknown[] = [];
            open.set(msg.id, { close: () => undefined, input: (data) => early.push(data) });
            void stream(msg.id, msg.ch as StreamChannel, msg.args, early);
          }
          return;
        case 'input':
          open.get(msg.id)?.input?.(msg.data);
          return;
        case 'close': {
          const c = open.get(msg.id);
          open.delete(msg.id);
          c?.close();
          return;
        }
      }
    },
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const c of open.values()) c.close();
      open.clear();
    },
  };
}
