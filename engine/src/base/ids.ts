import { randomBytes } from 'node:crypto';

/** A 64-hex-character ID, as dockerd gives containers, networks and exec instances. */
export function generateId(): string {
  // dockerd rejects all-numeric short IDs so a prefix can never look like a number; so do we.
  for (;;) {
    const id = randomBytes(32).toString('hex');
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

/** The 12-character form the CLI prints. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
