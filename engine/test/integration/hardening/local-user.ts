import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An ordinary host account made for one test file (no home, no password, no groups), removed by `remove()`. */
export interface LocalUser {
  name: string;
  uid: number;
  /** Runs `argv` as this user (util-linux `runuser`, no shell unless asked). */
  run(argv: string[], opts?: { timeoutMs?: number }): Promise<CommandResult>;
  remove(): void;
}

export function createLocalUser(): LocalUser {
  const name = `berth-t${randomBytes(3).toString('hex')}`;
  execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', '--user-group', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  return {
    name,
    uid,
    run(argv, opts = {}) {
      return new Promise((resolve) => {
        execFile('runuser', ['-u', name, '--', ...argv], { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20, cwd: '/' }, (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
          resolve({ code, stdout, stderr });
        });
      });
    },
    remove() {
      // -f: a command of this test that is still winding down does not keep the account alive.
      execFileSync('userdel', ['-f', name], { stdio: 'ignore' });
    },
  };
}
