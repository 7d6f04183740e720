import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinuxResources } from '../spec/types.js';
import { ociRuntimeError } from './errors.js';
import { run } from './run.js';
import type { CreateArgs, ExecArgs, OciRuntime, RuntimeState } from './runtime.js';
import { parseSignal } from './signals.js';

export interface CliRuntimeOptions {
  /** `runc` or `crun`: both implement the same command line (runtime.md operations plus runc's extensions). */
  name: string;
  binary: string;
  root: string;
  /** Extra global flags, e.g. `--systemd-cgroup`. */
  extraArgs?: string[];
}

/** runc and crun through their command lines. The two differ in messages, not in flags, for what berthd uses. */
export class CliOciRuntime implements OciRuntime {
  readonly name: string;
  readonly binary: string;
  readonly root: string;
  private readonly extra: string[];

  constructor(o: CliRuntimeOptions) {
    this.name = o.name;
    this.binary = o.binary;
    this.root = o.root;
    this.extra = o.extraArgs ?? [];
  }

  private global(logFile?: string): string[] {
    const log = logFile ? ['--log', logFile] : [];
    return ['--root', this.root, '--log-format', 'json', ...log, ...this.extra];
  }

  createArgv(id: string, a: CreateArgs, logFile: string): string[] {
    const tty = a.consoleSocket ? ['--console-socket', a.consoleSocket] : [];
    return [this.binary, ...this.global(logFile), 'create', '--bundle', a.bundle, '--pid-file', a.pidFile, ...tty, id];
  }

  runArgv(id: string, a: CreateArgs, logFile: string): string[] {
    const tty = a.consoleSocket ? ['--console-socket', a.consoleSocket] : [];
    return [this.binary, ...this.global(logFile), 'run', '--detach', '--bundle', a.bundle, '--pid-file', a.pidFile, ...tty, id];
  }

  execArgv(id: string, a: ExecArgs, logFile: string): string[] {
    const tty = a.consoleSocket ? ['--console-socket', a.consoleSocket] : [];
    const detach = a.detach === false ? [] : ['--detach'];
    return [this.binary, ...this.global(logFile), 'exec', '--process', a.processFile, '--pid-file', a.pidFile, ...tty, ...detach, id];
  }

  private async cmd(verb: string, args: string[], input?: string): Promise<string> {
    const r = await run(this.binary, [...this.global(), ...args], input);
    if (r.code !== 0) throw ociRuntimeError(verb, r.stderr || r.stdout);
    return r.stdout;
  }

  async start(id: string): Promise<void> {
    await this.cmd('start', ['start', id]);
  }

  async state(id: string): Promise<RuntimeState> {
    const out = (await this.cmd('state', ['state', id])).trim();
    // A runtime that exits 0 without a state is a failure to report in dockerd's shape, not a JSON SyntaxError.
    if (!out) throw ociRuntimeError('state', `${this.name} state ${id} printed no state`);
    return JSON.parse(out) as RuntimeState;
  }

  async kill(id: string, signal: string | number, opts: { all?: boolean } = {}): Promise<void> {
    const sig = String(parseSignal(signal));
    await this.cmd('kill', ['kill', ...(opts.all ? ['--all'] : []), id, sig]);
  }

  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.cmd('delete', ['delete', ...(opts.force ? ['--force'] : []), id]);
  }

  async pause(id: string): Promise<void> {
    await this.cmd('pause', ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.cmd('resume', ['resume', id]);
  }

  /** Through a file: runc reads `-` as stdin, crun only takes a path. */
  async update(id: string, resources: LinuxResources): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-update-'));
    try {
      const file = join(dir, 'resources.json');
      await writeFile(file, JSON.stringify(resources));
      await this.cmd('update', ['update', '--resources', file, id]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async ps(id: string): Promise<number[]> {
    const out = (await this.cmd('ps', ['ps', '--format', 'json', id])).trim();
    return out ? (JSON.parse(out) as number[] | null) ?? [] : [];
  }

  async list(): Promise<RuntimeState[]> {
    const out = (await this.cmd('list', ['list', '--format', 'json'])).trim();
    return out ? (JSON.parse(out) as RuntimeState[] | null) ?? [] : [];
  }
}
