import { spawn } from 'node:child_process';
import { SystemError } from '../base/errors.js';

/** Runs mount/umount/cp and throws with their stderr on failure. */
export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new SystemError(`${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new SystemError(`${cmd} ${args.join(' ')}: ${Buffer.concat(err).toString().trim() || `exit status ${code}`}`));
    });
  });
}
