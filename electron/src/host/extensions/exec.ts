// The three places an extension's exec runs (DIGEST §5): `docker` (the docker CLI against Berth's engine),
// `vm` (docker exec in the first backend service's container) and `host` (one of the binaries the extension
// shipped, and nothing else). No shell: one exec is one program. Streaming execs end with SIGTERM on close.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { ExecChunk, ExecOutcome, ExecSpec } from '../../shared/extension-bridge.js';
import { stripQuotes } from '../../shared/extension-bridge.js';
import { cliEnv, type DockerCli } from './docker-cli.js';
import { ExtensionError, type ExtensionManager } from './manager.js';
import type { InstalledExtension } from './store.js';

export interface ExecTarget {
  bin: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface ExecContext {
  manager: ExtensionManager;
  cli: DockerCli;
  engine: string;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** Resolves what to spawn for `spec`, refusing anything the extension may not run. */
export async function execTarget(ctx: ExecContext, ext: InstalledExtension, spec: ExecSpec): Promise<ExecTarget> {
  const args = spec.args.map(stripQuotes);
  const env = { ...(spec.env ?? {}) };
  const cwd = spec.cwd ?? os.homedir();
  switch (spec.scope) {
    case 'docker':
      return { bin: ctx.cli.bin, args: [spec.cmd, ...args].filter((a, i) => i > 0 || a !== ''), env: cliEnv(ctx.cli, ctx.engine, env), cwd };
    case 'vm': {
      const container = await ctx.manager.firstServiceContainer(ext);
      const flags = [...(spec.cwd ? ['-w', spec.cwd] : []), ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`])];
      return { bin: ctx.cli.bin, args: ['exec', ...flags, container, spec.cmd, ...args], env: cliEnv(ctx.cli, ctx.engine), cwd: os.homedir() };
    }
    case 'host': {
      // Only a file name the extension shipped: no paths, no PATH lookup, nothing of another extension's.
      if (!NAME.test(spec.cmd) || !ext.hostBinaries.includes(spec.cmd)) {
        throw new ExtensionError(`"${spec.cmd}" is not a host binary of extension ${ext.id} (it ships: ${ext.hostBinaries.join(', ') || 'none'})`, 'invalid');
      }
      const bin = path.join(ctx.manager.store.dirOf(ext), 'host', spec.cmd);
      return { bin, args, env: { ...process.env, ...env }, cwd };
    }
  }
}

/** Runs to completion and collects the output. */
export function execCollect(t: ExecTarget, cmd: string): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    const child = spawn(t.bin, t.args, { env: t.env, cwd: t.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', (e) => resolve({ cmd, code: 127, stdout: '', stderr: e.message }));
    child.once('close', (code, signal) => resolve({
      cmd, code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(),
      ...(signal ? { signal, killed: true } : {}),
    }));
  });
}

/** Starts a streaming exec: chunks as they come (or lines), then `{exit}`; close() sends SIGTERM. */
export function execStream(t: ExecTarget, splitLines: boolean, onChunk: (c: ExecChunk) => void, onEnd: () => void): { close(): void; pid?: number } {
  const child = spawn(t.bin, t.args, { env: t.env, cwd: t.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const pending = { stdout: '', stderr: '' };
  const emit = (stream: 'stdout' | 'stderr', text: string) => {
    if (!splitLines) { onChunk(stream === 'stdout' ? { stdout: text } : { stderr: text }); return; }
    const lines = (pending[stream] + text).split('\n');
    pending[stream] = lines.pop() ?? '';
    for (const l of lines) onChunk(stream === 'stdout' ? { stdout: l } : { stderr: l });
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => emit('stdout', s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => emit('stderr', s));
  let ended = false;
  const end = (code: number) => {
    if (ended) return;
    ended = true;
    if (pending.stdout) onChunk({ stdout: pending.stdout });
    if (pending.stderr) onChunk({ stderr: pending.stderr });
    onChunk({ exit: code });
    onEnd();
  };
  child.once('error', (e) => { onChunk({ stderr: e.message }); end(127); });
  child.once('close', (code, signal) => end(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 15) : 128)));
  return {
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    close: () => { if (!ended && child.exitCode === null) child.kill('SIGTERM'); },
  };
}
