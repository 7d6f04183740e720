import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BERTH_BIN } from './dashboard.js';
import { spawnTracked, stopByPid, waitUntil } from './processes.js';

export interface CredentialService {
  /** `$BERTH_HOME/run/credential-helper`, which docker-credential-berth's launcher reads. */
  file: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `berth credentials serve` with `env` (BERTH_HOME and the keyring's D-Bus): what the running app and `berth daemon`
 * serve to docker-credential-berth's launcher, alone. Stopped by PID.
 */
export async function startCredentialService(env: NodeJS.ProcessEnv): Promise<CredentialService> {
  if (!env.BERTH_HOME) throw new Error('startCredentialService: BERTH_HOME must be set');
  const file = path.join(env.BERTH_HOME, 'run', 'credential-helper');
  let output = '';
  const child = spawnTracked(process.execPath, [BERTH_BIN, 'credentials', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  try {
    await waitUntil(async () => existsSync(file) && output.includes('Answering'), { child, timeoutMs: 30_000, what: 'berth credentials serve' });
  } catch (err) {
    await stopByPid(child, 3_000);
    throw new Error(`${(err as Error).message}: ${output}`, { cause: err });
  }
  return { file, child, stop: async () => void (await stopByPid(child, 5_000)) };
}
