import { InvalidArgument } from '../base/errors.js';

/** What `docker attach`, `docker run -it` and `docker exec -it` use unless told otherwise. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIAL: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/**
 * moby's term.ToBytes: a comma-separated list of single characters or `ctrl-<a-z@[\]^_>`. Errors carry dockerd's
 * text for the `detachKeys` parameter.
 */
export function parseDetachKeys(spec: string): Buffer {
  const out: number[] = [];
  for (const raw of spec.split(',')) {
    const key = raw.trim();
    const lower = key.toLowerCase();
    if (lower.startsWith('ctrl-') && key.length === 6) {
      const c = lower.charAt(5);
      if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
      else if (CTRL_SPECIAL[c] !== undefined) out.push(CTRL_SPECIAL[c]);
      else throw new InvalidArgument(`Invalid detach keys (${spec}) provided`);
    } else if (key.length === 1) {
      out.push(key.charCodeAt(0));
    } else {
      throw new InvalidArgument(`Invalid detach keys (${spec}) provided`);
    }
  }
  return Buffer.from(out);
}

/**
 * Watches a stdin byte stream for the detach sequence. Bytes that could start the sequence are held back until
 * the next byte decides, as moby's escape proxy does, so the container never sees a completed sequence.
 */
export class DetachKeyFilter {
  private readonly keys: Buffer;
  private held = 0;

  constructor(keys: Buffer) {
    this.keys = keys;
  }

  /** Returns what to pass on to the process, and whether the sequence was completed (detach now). */
  push(chunk: Buffer): { data: Buffer; detached: boolean } {
    if (this.keys.length === 0) return { data: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { data: Buffer.from(out), detached: true };
        continue;
      }
      // Mismatch: release what was held, then see whether this byte starts a new sequence.
      for (let i = 0; i < this.held; i++) out.push(this.keys[i] ?? 0);
      this.held = 0;
      if (byte === this.keys[0]) this.held = 1;
      else out.push(byte);
      if (this.held === this.keys.length) return { data: Buffer.from(out), detached: true };
    }
    return { data: Buffer.from(out), detached: false };
  }
}
