// The typed API the renderer uses, built on any BerthBridge (Electron IPC or the browser-mode WebSocket).
import type {
  ArgsOf, EventChannel, EventChannels, RequestChannel, ResultOf, StreamArgsOf, StreamChannel, StreamDataOf,
  StreamInputOf,
} from './contract.js';
import { BerthError, type ContractError } from './errors.js';
import type { BerthBridge, HostMessage } from './wire.js';

export interface StreamHandlers<D> {
  onData(value: D): void;
  /** Called once: with an error when the stream failed, without one when it ended normally. */
  onEnd?(error?: BerthError): void;
}

export interface StreamHandle<I> {
  send(input: I): void;
  close(): void;
}

export interface BerthApi {
  readonly transport: BerthBridge['transport'];
  invoke<C extends RequestChannel>(ch: C, ...args: ArgsOf<C> extends void ? [] : [ArgsOf<C>]): Promise<ResultOf<C>>;
  stream<C extends StreamChannel>(ch: C, args: StreamArgsOf<C>, handlers: StreamHandlers<StreamDataOf<C>>): StreamHandle<StreamInputOf<C>>;
  on<E extends EventChannel>(ch: E, listener: (value: EventChannels[E]) => void): () => void;
  onConnection(listener: (connected: boolean) => void): () => void;
}

const lost: ContractError = {
  code: 'engine_down',
  message: 'Lost the connection to the Berth host process',
  hint: 'Check that `berth dashboard` (or the Berth app) is still running, then reload the page.',
};

export function createBerthClient(bridge: BerthBridge): BerthApi {
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: BerthError): void }>();
  const streams = new Map<number, StreamHandlers<unknown>>();
  const listeners = new Map<string, Set<(v: unknown) => void>>();

  bridge.onMessage((msg: HostMessage) => {
    switch (msg.t) {
      case 'res': {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new BerthError(msg.error));
        return;
      }
      case 'data':
        streams.get(msg.id)?.onData(msg.value);
        return;
      case 'end': {
        const s = streams.get(msg.id);
        streams.delete(msg.id);
        s?.onEnd?.(msg.error ? new BerthError(msg.error) : undefined);
        return;
      }
      case 'event':
        for (const l of listeners.get(msg.ch) ?? []) l(msg.value);
        return;
    }
  });

  // A dropped connection fails everything in flight: the host forgot them.
  bridge.onConnection?.((connected) => {
    if (connected) return;
    for (const p of pending.values()) p.reject(new BerthError(lost));
    pending.clear();
    for (const s of streams.values()) s.onEnd?.(new BerthError(lost));
    streams.clear();
  });

  return {
    transport: bridge.transport,
    invoke(ch, ...args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        bridge.send({ t: 'req', id, ch, args: args[0] });
      });
    },
    stream(ch, args, handlers) {
      const id = nextId++;
      streams.set(id, handlers as StreamHandlers<unknown>);
      bridge.send({ t: 'open', id, ch, args });
      return {
        send: (data) => bridge.send({ t: 'input', id, data }),
        close: () => {
          if (!streams.delete(id)) return;
          bridge.send({ t: 'close', id });
        },
      };
    },
    on(ch, listener) {
      let set = listeners.get(ch);
      if (!set) listeners.set(ch, (set = new Set()));
      set.add(listener as (v: unknown) => void);
      return () => set.delete(listener as (v: unknown) => void);
    },
    onConnection(listener) {
      return bridge.onConnection?.(listener) ?? (() => undefined);
    },
  };
}
