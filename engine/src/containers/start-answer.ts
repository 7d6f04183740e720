/**
 * How long `start` may wait for the durable record before it answers anyway. At idle that write takes milliseconds;
 * behind another process's writeback its fsync takes seconds, and a client must not wait that long: docker-py's
 * `containers.run(auto_remove=True)` of a 2 s command saw its container removed before it could `wait` for it.
 */
export const START_ANSWER_CAP_MS = 250;

/**
 * When `start` answers: once the record with the pid is durable, once the container has already ended, or after
 * `capMs`, whichever comes first. The wait for the first two gives a short command time to write what a `logs`
 * right after `start` reads (as dockerd's checkpoint does); the cap bounds it. Which one it was, for the debug log.
 */
export function startAnswered(saved: Promise<unknown>, exited: Promise<unknown>, capMs = START_ANSWER_CAP_MS): Promise<'saved' | 'exited' | 'cap'> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<'cap'>((resolve) => (timer = setTimeout(() => resolve('cap'), capMs)));
  return Promise.race([
    saved.then(() => 'saved' as const, () => 'saved' as const),
    exited.then(() => 'exited' as const, () => 'exited' as const),
    cap,
  ]).finally(() => clearTimeout(timer));
}
