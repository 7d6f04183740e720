import { access } from 'node:fs/promises';
import path from 'node:path';
import { Conflict, NotFound } from '../base/errors.js';
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

/**
 * Whether a runtime error says the container's init is gone (`does not exist`, `not running`): the container is
 * exiting and its exit is about to be recorded, as dockerd treats a kill or pause that races an exit.
 */
export function exitedUnderUs(err: unknown): boolean {
  return err instanceof NotFound || (err instanceof Conflict && /not running|does not exist/.test(err.message));
}

/**
 * Freezes a running container for an operation (commit, cp); false when it exited meanwhile (nothing to freeze:
 * the operation goes on with a container that can no longer change its files), as dockerd's commit of a container
 * that is just exiting succeeds.
 */
export async function freezeUnlessExited(runtime: OciRuntime, id: string): Promise<boolean> {
  try {
    await runtime.pause(id);
    return true;
  } catch (err) {
    if (!exitedUnderUs(err)) throw err;
    return false;
  }
}
