import { access } from 'node:fs/promises';
import path from 'node:path';
import type { OciRuntime } from '../runtime/index.js';

/**
 * Whether the runtime still has state for this container (runc and crun keep `<root>/<id>/`). A file check, so the
 * hot paths (start, exit, removal) only spawn `runtime delete` when there is something to delete: each spawn costs
 * ~10 ms on the `docker run --rm` path.
 */
export async function runtimeKnows(runtime: OciRuntime, id: string): Promise<boolean> {
  return access(path.join(runtime.root, id)).then(
    () => true,
    () => false,
  );
}

export async function deleteFromRuntime(runtime: OciRuntime | undefined, id: string): Promise<void> {
  if (runtime && (await runtimeKnows(runtime, id))) await runtime.delete(id, { force: true });
}
