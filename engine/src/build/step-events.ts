/**
 * Progress as events, for front doors other than the classic `/build` stream (BuildKit's vertexes): one event per
 * step that does work (FROM, RUN, COPY, ADD, WORKDIR), named the way BuildKit's Dockerfile frontend names them
 * (`[stage 2/5] RUN …`, the index padded to the total's width), with the step's output and its end.
 */
import type { Node } from './dockerfile/parse.js';
import type { Stage } from './state.js';

export interface StepHandle {
  /** Output of the step: stream 1 stdout, 2 stderr. */
  log(data: Buffer, stream: 1 | 2): void;
  /** The step's result came from the build cache. */
  cached(): void;
  /** A progress line under the step (pull progress of a base image). */
  status(id: string, current?: number, total?: number, done?: boolean): void;
  end(err?: unknown): void;
}

export interface StepEvents {
  begin(name: string): StepHandle;
  /** A message that belongs to no step (Dockerfile warnings). */
  warning(text: string): void;
}

/** Instructions that are a vertex of their own in BuildKit; the others only change the image config. */
export const VERTEX_INSTRUCTIONS = new Set(['run', 'copy', 'add', 'workdir']);

/** Names of a stage's steps: index 0 is FROM, then one per vertex instruction in order. */
export function stepNames(stage: Stage, fromText: string): { from: string; next: (node: Node) => string } {
  const total = 1 + stage.commands.filter((c) => VERTEX_INSTRUCTIONS.has(c.cmd)).length;
  const width = String(total).length;
  const prefix = stage.name ? `${stage.name} ` : '';
  let n = 1;
  const label = (i: number): string => `[${prefix}${String(i).padStart(width, ' ')}/${total}]`;
  return {
    from: `${label(1)} FROM ${fromText}`,
    next: (node) => `${label(++n)} ${oneLine(node.original)}`,
  };
}

/** BuildKit shows an instruction on one line: continuations joined. */
function oneLine(original: string): string {
  return original.replace(/\\\r?\n\s*/g, '').replace(/\s*\r?\n\s*/g, ' ').trim();
}
