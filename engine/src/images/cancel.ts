import { SystemError } from '../base/errors.js';

/** dockerd's words for work whose client went away (its request context was cancelled). */
export function cancelled(): SystemError {
  return new SystemError('context canceled');
}

/** Throws `context canceled` once the client has gone, so a pull or push stops before its next step. */
export function stillWanted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}
