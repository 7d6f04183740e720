import { spawn } from 'node:child_process';
import { DEBIAN_PYTHON } from '../containers/io-helpers.js';

/**
 * Runs a Python snippet with Debian's docker-py (5.0.3) against a daemon, as users' scripts do: `client` is a
 * `docker.DockerClient`, `api` its low-level `APIClient` (version `auto`), `image` the busybox reference, and
 * `emit(x)` prints the JSON the test asserts on; `extraArgs` reach the snippet as `sys.argv[3:]`. Rejects with the
 * traceback when the snippet fails.
 */
export function runPy<T = unknown>(dockerHost: string, image: string, body: string, timeoutMs = 120_000, extraArgs: string[] = []): Promise<T> {
  const script = [
    'import json, sys, time',
    'import docker',
    'client = docker.DockerClient(base_url=sys.argv[1], version="auto")',
    'api = client.api',
    'image = sys.argv[2]',
    'def emit(x):',
    '    print("@@" + json.dumps(x))',
    body,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(DEBIAN_PYTHON, ['-c', script, dockerHost, image, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('@@'));
      if (code !== 0 || line === undefined) reject(new Error(`python exited ${code}:\n${err}\n${out}`));
      else resolve(JSON.parse(line.slice(2)) as T);
    });
  });
}
