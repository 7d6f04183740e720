import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Children the rig started and has not yet seen exit. If the test process dies without calling stop(), the exit
 * hook kills them by PID so no registry or daemon outlives the run.
 */
const live = new Set<ChildProcess>();
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  });
}

/** Spawns a long-running helper process and tracks it for the exit hook. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  installExitHook();
  const child = spawn(command, args, options);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited (immediately if it already has). */
export function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

/**
 * Stops a child by its PID: SIGTERM, then SIGKILL when it has not exited by the deadline. Returns how it ended so
 * callers can tell a clean shutdown from a forced one.
 */
export async function stopByPid(child: ChildProcess, graceMs = 10_000): Promise<'exited' | 'killed'> {
  if (hasExited(child) || child.pid === undefined) return 'exited';
  const exited = waitForExit(child);
  signal(child.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const first = await Promise.race([exited.then(() => 'exited' as const), timedOut]);
  clearTimeout(timer);
  if (first === 'exited') return 'exited';
  signal(child.pid, 'SIGKILL');
  await exited;
  return 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Polls `probe` until it returns true, the child exits, or the deadline passes. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  opts: { child?: ChildProcess; timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (true) {
    if (opts.child && hasExited(opts.child)) {
      throw new Error(`${opts.what}: process exited (code ${opts.child.exitCode}, signal ${opts.child.signalCode})`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${opts.what}: not ready after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** Last `lines` lines of a text, for error messages that show what a daemon said before it failed. */
export function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}
