// Follows the engine's /events stream so the UI learns about changes without polling. While the engine is away
// it retries with backoff (the only timer the host runs), and on reconnect tells the UI to refetch everything.
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { EventChannels } from '../../shared/contract.js';
import type { EngineStatus, Resource } from '../../shared/types.js';
import { toContractError } from './engine-errors.js';
import { onJsonLines } from '../json-lines.js';

export type WatcherListener = <E extends keyof EventChannels>(ch: E, value: EventChannels[E]) => void;

const RESOURCE_OF: Record<string, Resource> = { container: 'containers', image: 'images', volume: 'volumes', network: 'networks' };
// Actions that do not change anything a list shows.
const QUIET = /^(exec_|attach$|resize$|top$|archive-path$|export$|copy$)/;

export function changeOf(ev: { Type?: string; Action?: string; Actor?: { ID?: string }; id?: string }): EventChannels['changed'] | undefined {
  const action = ev.Action ?? '';
  if (QUIET.test(action)) return undefined;
  const resource = RESOURCE_OF[ev.Type ?? ''] ?? 'engine';
  const id = ev.Actor?.ID ?? ev.id;
  return { resource, action, ...(id ? { id } : {}) };
}

export interface EngineWatcher {
  status(): EngineStatus;
  subscribe(listener: WatcherListener): () => void;
  /** Connects now instead of at the next backoff step (the VM just came up); resolves after that attempt. */
  retryNow(): Promise<void>;
  close(): void;
}

export function watchEngine(docker: Docker, endpoint: string, opts: { maxBackoffMs?: number } = {}): EngineWatcher {
  const listeners = new Set<WatcherListener>();
  let status: EngineStatus = { state: 'starting', endpoint, stage: 'Connecting to the engine' };
  let closed = false;
  let events: Readable | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let backoff = 250;
  let attempt: Promise<void> | undefined;

  const emit: WatcherListener = (ch, value) => { for (const l of listeners) l(ch, value); };
  const setStatus = (next: EngineStatus) => {
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    status = next;
    emit('engine.status', status);
  };

  const retry = (err: unknown) => {
    events = undefined;
    if (closed) return;
    const e = toContractError(err);
    setStatus({
      state: e.code === 'engine_down' ? 'stopped' : 'error',
      endpoint,
      reason: e.message,
      hint: e.hint ?? 'Check the engine log (Troubleshoot), then restart the engine.',
    });
    timer = setTimeout(() => void connect(), backoff);
    backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 5_000);
  };

  function connect(): Promise<void> {
    timer = undefined;
    attempt ??= tryConnect().finally(() => (attempt = undefined));
    return attempt;
  }

  async function tryConnect(): Promise<void> {
    if (closed) return;
    try {
      const version = await docker.version();
      const stream = (await docker.getEvents({})) as unknown as Readable;
      if (closed) { stream.destroy(); return; }
      events = stream;
      backoff = 250;
      onJsonLines(stream, (obj) => {
        const change = changeOf(obj as never);
        if (change) emit('changed', change);
      });
      stream.on('error', retry);
      stream.on('end', () => retry({ code: 'ECONNRESET' }));
      const wasRunning = status.state === 'running';
      setStatus({ state: 'running', endpoint, version: version.Version, apiVersion: version.ApiVersion });
      // Anything may have changed while we were away.
      if (!wasRunning) for (const resource of ['containers', 'images', 'volumes', 'networks', 'engine'] as const) emit('changed', { resource, action: 'reconnect' });
    } catch (err) {
      retry(err);
    }
  }
  void connect();

  return {
    status: () => status,
    retryNow() {
      if (closed || events) return Promise.resolve();
      if (timer) clearTimeout(timer);
      backoff = 250;
      return connect();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      events?.destroy();
      listeners.clear();
    },
  };
}
