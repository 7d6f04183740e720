// Everything behind the contract for one engine: the handlers, the events watcher, and the engine status.
// Electron main and the browser-mode server each put a transport in front of one UiHost.
import type { RequestChannel, StreamChannel } from '../../shared/contract.js';
import { ExtensionsHost } from '../extensions/host.js';
import { connectEngine } from './engine-endpoint.js';
import { watchEngine, type WatcherListener } from './engine-watcher.js';
import { announceLongWork } from './long-work.js';
import { withVmStatus } from './vm-engine-status.js';
import { createHandlers, ENGINE_CALLS, type RequestHandlers, type StreamHandlers, type UiHostOptions } from './handlers/index.js';

export interface UiHost {
  readonly endpoint: string;
  readonly requests: RequestHandlers;
  readonly streams: StreamHandlers;
  /** Extensions against this engine, when the host manages them. */
  readonly extensions?: ExtensionsHost;
  /** The engine endpoint behind a channel, for error messages. */
  describe(ch: RequestChannel | StreamChannel): string | undefined;
  subscribe(listener: WatcherListener): () => void;
  close(): void;
}

export function createUiHost(opts: UiHostOptions): UiHost {
  const { docker, url } = connectEngine(opts.engine);
  // On a VM host the status also says what the VM is doing (start stages, failures), not only "engine down".
  const watcher = withVmStatus(watchEngine(docker, url), opts.controls?.watchVm);
  const extensions = opts.extensions ? new ExtensionsHost(docker, url, opts.extensions) : undefined;
  const { requests, streams } = createHandlers(docker, opts, extensions);
  // Events of the host's own (how long work ended), next to the engine's.
  const own = new Set<WatcherListener>();
  return {
    endpoint: url,
    ...(extensions ? { extensions } : {}),
    requests: { ...requests, 'engine.status': async () => watcher.status() },
    streams: announceLongWork(streams, (w) => own.forEach((l) => l('work', w))),
    describe: (ch) => ENGINE_CALLS[ch],
    subscribe(l) {
      own.add(l);
      const off = watcher.subscribe(l);
      return () => { own.delete(l); off(); };
    },
    close: () => { own.clear(); watcher.close(); void extensions?.close(); },
  };
}
