/**
 * Which Dockerfile lines a build error came from (the instruction that failed), so a front door can show them:
 * BuildKit's clients print the Dockerfile excerpt around those lines above `ERROR: failed to solve: …`.
 */
import type { Node } from './dockerfile/parse.js';

export interface SourceLines {
  /** 1-based, inclusive. */
  start: number;
  end: number;
}

const lines = new WeakMap<object, SourceLines>();

/** Remembers the instruction an error came from; the innermost (first) one wins. */
export function markErrorSource(err: unknown, node: Node): void {
  if (typeof err === 'object' && err !== null && !lines.has(err) && node.startLine > 0) lines.set(err, { start: node.startLine, end: node.endLine });
}

export function errorSourceLines(err: unknown): SourceLines | undefined {
  return typeof err === 'object' && err !== null ? lines.get(err) : undefined;
}
