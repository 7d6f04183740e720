/**
 * Builds in flight, keyed by the Control `Ref` (the `buildkit-controlapi-buildid` of the client's LLB bridge
 * calls). Status, Solve and the bridge calls of one build arrive in any order, so every party gets-or-creates the
 * record and waits on the part it needs. A record is dropped a little after its build ended, so a late Status call
 * still sees the whole progress.
 */
import { BuildProgress } from './progress.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';

export interface ControlSolve {
  session: string;
  frontend: string;
  attrs: Record<string, string>;
  internal: boolean;
  entitlements: string[];
}

export interface ReturnedResult {
  /** Our ref id the client returned, or undefined for an empty result (caps probe). */
  ref: string | undefined;
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class SolveRecord {
  readonly progress = new BuildProgress();
  readonly abort = new AbortController();
  readonly control = deferred<ControlSolve>();
  readonly returned = deferred<ReturnedResult>();
  /** Results of bridge solves: our ref id -> image ID. */
  readonly refs = new Map<string, string>();

  constructor(readonly ref: string) {
    this.abort.signal.addEventListener('abort', () => {
      const err = new GrpcError(GRPC_STATUS.CANCELLED, 'context canceled');
      this.control.reject(err);
      this.returned.reject(err);
    });
  }
}

const LINGER_MS = 30_000;

export class SolveRegistry {
  private readonly records = new Map<string, SolveRecord>();

  get(ref: string): SolveRecord {
    let r = this.records.get(ref);
    if (!r) this.records.set(ref, (r = new SolveRecord(ref)));
    return r;
  }

  /** The build is over: end its progress and forget it after a while. */
  finish(record: SolveRecord): void {
    record.progress.end();
    setTimeout(() => {
      if (this.records.get(record.ref) === record) this.records.delete(record.ref);
    }, LINGER_MS).unref();
  }

  abortAll(): void {
    for (const r of this.records.values()) r.abort.abort();
  }
}
