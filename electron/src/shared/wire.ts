// The messages both transports carry. Requests and streams are matched to answers by a per-connection id.
import type { ContractError } from './errors.js';

export type ClientMessage =
  | { t: 'req'; id: number; ch: string; args: unknown }
  | { t: 'open'; id: number; ch: string; args: unknown }
  | { t: 'input'; id: number; data: unknown }
  | { t: 'close'; id: number };

export type HostMessage =
  | { t: 'res'; id: number; ok: true; value: unknown }
  | { t: 'res'; id: number; ok: false; error: ContractError }
  | { t: 'data'; id: number; value: unknown }
  | { t: 'end'; id: number; error?: ContractError }
  | { t: 'event'; ch: string; value: unknown };

/** What `window.berth` is: the raw message pipe. The typed API is built on top of it by `createBerthClient`. */
export interface BerthBridge {
  readonly transport: 'electron' | 'websocket';
  send(msg: ClientMessage): void;
  /** Returns the unsubscribe function. */
  onMessage(listener: (msg: HostMessage) => void): () => void;
  /** Connection state changes (WebSocket only: the Electron pipe never drops). */
  onConnection?(listener: (connected: boolean) => void): () => void;
}

export function isClientMessage(v: unknown): v is ClientMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { t?: unknown; id?: unknown; ch?: unknown };
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return false;
  switch (m.t) {
    case 'req':
    case 'open':
      return typeof m.ch === 'string';
    case 'input':
    case 'close':
      return true;
    default:
      return false;
  }
}
