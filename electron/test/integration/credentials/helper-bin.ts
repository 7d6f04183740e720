import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELPER_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/docker-credential-berth');

/** Runs the real `docker-credential-berth` as the docker CLI does: one argument, stdin, stdout. */
export function runHelper(action: string, input: string | undefined, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(HELPER_BIN, [action], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
    // `list` never reads its input, and the bash launcher can be done before it is written (EPIPE): as for the CLI,
    // what counts is the answer.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
