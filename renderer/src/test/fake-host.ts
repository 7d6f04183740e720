// A host in memory for renderer tests: the real client (createBerthClient) over a bridge whose answers come
// from the test. Rows are what the host's mappers make of the recorded dockerd fixtures.
import { createBerthClient, type BerthApi } from '@berth/electron/shared/client.js';
import type { ContainerRow } from '@berth/electron/shared/types.js';
import type { BerthBridge, ClientMessage, HostMessage } from '@berth/electron/shared/wire.js';

type Handler = (args: unknown) => unknown;
type Opener = (args: unknown, emit: (v: unknown) => void, end: () => void) => void;

export interface FakeHost {
  api: BerthApi;
  calls: { ch: string; args: unknown }[];
  event(ch: string, value: unknown): void;
  inputs: unknown[];
}

export function fakeHost(requests: Record<string, Handler>, streams: Record<string, Opener> = {}): FakeHost {
  let listener: ((m: HostMessage) => void) | undefined;
  const calls: FakeHost['calls'] = [];
  const inputs: unknown[] = [];
  const post = (m: HostMessage) => queueMicrotask(() => listener?.(m));
  const bridge: BerthBridge = {
    transport: 'websocket',
    send(msg: ClientMessage) {
      if (msg.t === 'req') {
        calls.push({ ch: msg.ch, args: msg.args });
        const h = requests[msg.ch];
        if (!h) { post({ t: 'res', id: msg.id, ok: false, error: { code: 'not_implemented', message: `no ${msg.ch}` } }); return; }
        Promise.resolve().then(() => h(msg.args)).then(
          (value) => post({ t: 'res', id: msg.id, ok: true, value }),
          (error) => post({ t: 'res', id: msg.id, ok: false, error }),
        );
      } else if (msg.t === 'open') {
        calls.push({ ch: msg.ch, args: msg.args });
        streams[msg.ch]?.(msg.args, (value) => post({ t: 'data', id: msg.id, value }), () => post({ t: 'end', id: msg.id }));
      } else if (msg.t === 'input') {
        inputs.push(msg.data);
      }
    },
    onMessage(l) { listener = l; return () => { listener = undefined; }; },
  };
  return { api: createBerthClient(bridge), calls, inputs, event: (ch, value) => post({ t: 'event', ch, value }) };
}

/** The rows the host makes of electron/src/host/ui/mappers/__fixtures__/containers-json.json. */
export const CONTAINER_ROWS: ContainerRow[] = [
  { id: '8dfafdbc3a40f1e2c7a5b1a6e7f0a8d9c3b2a1f0e9d8c7b6a5f4e3d2c1b0a998', name: 'shop-web-1', image: 'nginx:1.27', command: "/docker-entrypoint.sh nginx -g 'daemon off;'", created: 1732270000, state: 'running', status: 'Up 2 hours', ports: [{ privatePort: 80, publicPort: 8080, ip: '0.0.0.0', type: 'tcp' }], labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' }, project: 'shop', service: 'web' },
  { id: '1c0ffee5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c', name: 'shop-db-1', image: 'postgres:16', command: 'docker-entrypoint.sh postgres', created: 1732269990, state: 'running', status: 'Up 2 hours (healthy)', ports: [{ privatePort: 5432, type: 'tcp' }], labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' }, project: 'shop', service: 'db' },
  { id: 'f00dfacef00dfacef00dfacef00dfacef00dfacef00dfacef00dfacef00dface', name: 'happy_turing', image: 'busybox:latest', command: "sh -c 'echo hi'", created: 1732200000, state: 'exited', status: 'Exited (0) 20 hours ago', ports: [], labels: {} },
];
