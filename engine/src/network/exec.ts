import { spawn } from 'node:child_process';
import { SystemError } from '../base/errors.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a host tool (ip, iptables, nsenter) with optional stdin; never throws on a non-zero exit. */
export function execTool(cmd: string, args: string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new SystemError(`${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code) =>
      resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    // A tool that exits before reading all of its input (nsenter into a namespace that is gone, iptables-restore
    // failing early) makes the write fail with EPIPE: its exit status says what went wrong, and an unhandled
    // 'error' on the pipe would end berthd (seen restoring containers at the VM's boot).
    child.stdin?.on('error', () => undefined);
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs a host tool and throws a SystemError carrying its stderr when it fails. */
export async function mustExec(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await execTool(cmd, args, input);
  if (r.code !== 0) {
    const detail = (r.stderr || r.stdout).trim();
    throw new SystemError(`${cmd} ${args.join(' ')}: ${detail || `exit status ${r.code}`}`);
  }
  return r.stdout;
}
