/** Digest helpers: `algorithm:hex` strings as the OCI image spec defines them. */
import { createHash, type Hash } from 'node:crypto';
import { InvalidArgument } from '../base/errors.js';

const SUPPORTED: Record<string, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: string;
  hex: string;
}

export function parseDigest(digest: string): ParsedDigest {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const len = SUPPORTED[algorithm];
  if (colon < 0 || len === undefined || hex.length !== len || !/^[a-f0-9]+$/.test(hex)) {
    throw new InvalidArgument(`invalid digest: ${digest}`);
  }
  return { algorithm, hex };
}

export function isValidDigest(digest: string): boolean {
  try {
    parseDigest(digest);
    return true;
  } catch {
    return false;
  }
}

export function hasher(algorithm = 'sha256'): Hash {
  return createHash(algorithm);
}

export function digestOf(data: Buffer | string, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** The 12-hex short form the CLI shows for layer ids in progress output. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(colon + 1, colon + 13);
}

/** OCI chain ID: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : digestOf(`${prev} ${diffId}`));
  }
  return out;
}
