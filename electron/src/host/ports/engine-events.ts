import http from 'node:http';
import type { PortForwarder, PublishedPort } from './port-forwarder.js';
import { onJsonLines } from '../json-lines.js';

/** The part of a `GET /containers/json` entry the forwarder needs. */
export interface ContainerSummary {
  Id: string;
  Ports?: { IP?: string; PrivatePort?: number; PublicPort?: number; Type?: string }[];
}

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string };
}

/** The host side of a container's published TCP and UDP ports (exposed-only entries have no PublicPort). */
export function publishedPorts(c: ContainerSummary): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const p of c.Ports ?? []) {
    if (!p.PublicPort || (p.Type !== 'tcp' && p.Type !== 'udp')) continue;
    out.push({ proto: p.Type, hostIp: p.IP ?? '0.0.0.0', hostPort: p.PublicPort });
  }
  return out;
}

function getJson<T>(socketPath: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path, headers: { Host: 'berth' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300) return reject(new Error(`${path}: HTTP ${res.statusCode} ${body}`));
          try {
            resolve(JSON.parse(body) as T);
          } catch (err) {
            reject(err as Error);
          }
        });
      })
      .on('error', reject);
  });
}

/**
 * Drives the port forwarder from the engine: on (re)connect it reconciles with the running containers, then
 * follows container start/die events on one long-lived /events stream (no polling). The stream reconnects when
 * it ends (VM restart) until stop() is called.
 */
export class PortEventsWatcher {
  private req: http.ClientRequest | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly forwarder: PortForwarder,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.req?.destroy();
    this.forwarder.closeAll();
  }

  private reconnectLater(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => this.connect(), 1000);
  }

  private connect(): void {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start', 'die', 'destroy'] }));
    const req = http.get({ socketPath: this.socketPath, path: `/events?filters=${filters}`, headers: { Host: 'berth' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return this.reconnectLater();
      }
      // Subscribed first, then reconciled: a container starting in between is seen by one or the other.
      void this.reconcile();
      onJsonLines(res, (obj) => void this.onEvent(obj as EngineEvent));
      res.on('end', () => this.reconnectLater());
      res.on('error', () => undefined);
    });
    req.on('error', () => this.reconnectLater());
    this.req = req;
  }

  private async reconcile(): Promise<void> {
    try {
      const running = await getJson<ContainerSummary[]>(this.socketPath, '/containers/json');
      const ids = new Set(running.map((c) => c.Id));
      for (const id of this.forwarder.containers()) if (!ids.has(id)) this.forwarder.remove(id);
      for (const c of running) await this.forwarder.sync(c.Id, publishedPorts(c));
      await this.forwarder.pruneDirect();
    } catch (err) {
      this.log(`port reconcile failed: ${(err as Error).message}`);
    }
  }

  private async onEvent(ev: EngineEvent): Promise<void> {
    const id = ev.Actor?.ID;
    if (!id) return;
    if (ev.Action === 'die' || ev.Action === 'destroy') return this.forwarder.remove(id);
    if (ev.Action !== 'start') return;
    try {
      const list = await getJson<ContainerSummary[]>(
        this.socketPath,
        `/containers/json?filters=${encodeURIComponent(JSON.stringify({ id: [id] }))}`,
      );
      const c = list.find((x) => x.Id === id);
      if (c) await this.forwarder.sync(id, publishedPorts(c));
    } catch (err) {
      this.log(`ports of ${id.slice(0, 12)}: ${(err as Error).message}`);
    }
  }
}
