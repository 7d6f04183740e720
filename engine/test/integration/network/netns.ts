import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A network namespace made with `ip netns add`, named `bt-<hex>` so it never clashes with anyone else's. */
export interface TestNetns {
  name: string;
  path: string;
  exec(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  spawn(args: string[]): ChildProcess;
  remove(): void;
}

export function createNetns(): TestNetns {
  const name = `bt-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  const path = `/run/netns/${name}`;
  return {
    name,
    path,
    async exec(args, timeoutMs = 10_000) {
      try {
        const r = await run('nsenter', [`--net=${path}`, '--', ...args], { timeout: timeoutMs });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    },
    spawn(args) {
      return spawn('nsenter', [`--net=${path}`, '--', ...args], { stdio: 'ignore' });
    },
    remove() {
      execFileSync('ip', ['netns', 'del', name]);
    },
  };
}
