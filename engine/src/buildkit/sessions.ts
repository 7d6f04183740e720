/**
 * Client sessions by their UUID (`X-Docker-Expose-Session-Uuid`, the `Session` of a SolveRequest). A build may ask
 * for its session before the client's `/session` upgrade arrived, so `get` waits for it. Each session is
 * health-checked as dockerd does (every 5 s, 15 s timeout, closed after two failures) and forgotten when it closes.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from '../base/log.js';
import { codec } from './codec.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import { ClientSession } from './session-client.js';

const HEALTH_PATH = '/grpc.health.v1.Health/Check';
const HEALTH_INTERVAL_MS = 5_000;
const HEALTH_TIMEOUT_MS = 15_000;

export class SessionRegistry {
  private readonly sessions = new Map<string, ClientSession>();
  private readonly waiters = new Map<string, Array<(s: ClientSession) => void>>();

  constructor(private readonly log: Logger) {}

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  add(id: string, methods: Set<string>, socket: Duplex): ClientSession {
    const session = new ClientSession(id, methods, socket);
    this.sessions.set(id, session);
    for (const w of this.waiters.get(id) ?? []) w(session);
    this.waiters.delete(id);
    const timer = setInterval(() => void this.check(session), HEALTH_INTERVAL_MS);
    timer.unref();
    void session.closed.then(() => {
      clearInterval(timer);
      if (this.sessions.get(id) === session) this.sessions.delete(id);
      this.log.debug({ session: id }, 'build session closed');
    });
    return session;
  }

  private failures = new WeakMap<ClientSession, number>();

  private async check(session: ClientSession): Promise<void> {
    if (!session.supports(HEALTH_PATH)) return;
    const req = codec('grpc.health.v1.HealthCheckRequest').encode({});
    const ok = await Promise.race([
      session.unary(HEALTH_PATH, req).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS).unref()),
    ]);
    const n = ok ? 0 : (this.failures.get(session) ?? 0) + 1;
    this.failures.set(session, n);
    if (n >= 2) session.close();
  }

  /** The session, waiting up to `timeoutMs` for its upgrade to arrive. */
  get(id: string, timeoutMs: number, signal?: AbortSignal): Promise<ClientSession> {
    const s = this.sessions.get(id);
    if (s) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      this.waiters.set(id, list);
      const done = (session: ClientSession): void => {
        clearTimeout(timer);
        resolve(session);
      };
      list.push(done);
      const timer = setTimeout(() => {
        const l = this.waiters.get(id);
        if (l) l.splice(l.indexOf(done), 1);
        reject(new GrpcError(GRPC_STATUS.DEADLINE_EXCEEDED, `no active session for ${id}: context deadline exceeded`));
      }, timeoutMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new GrpcError(GRPC_STATUS.CANCELLED, 'context canceled'));
      });
    });
  }

  closeAll(): void {
    for (const s of this.sessions.values()) s.close();
  }
}
