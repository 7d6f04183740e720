import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  docker,
  dockerBinary,
  dockerEnv,
  pushImage,
  startBerthd,
  startDockerd,
  stopByPid,
  testImages,
  type DockerResult,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';

/**
 * What the Compose v2 tests need from an engine: where to point `DOCKER_HOST`, its log for failure messages, and a
 * stop. The same cases run against berthd and against the dockerd peer, so a difference is a finding.
 */
export interface ComposeEngine {
  dockerHost: string;
  logs(): Promise<string>;
  stop(): Promise<unknown>;
}

export interface EngineStarter {
  name: 'berthd' | 'dockerd';
  start(registry: TestRegistry): Promise<ComposeEngine>;
}

export const BERTHD: EngineStarter = {
  name: 'berthd',
  start: (registry) => startBerthd({ insecureRegistries: [registry.host] }),
};

/** The peer: Debian's dockerd 20.10 (API 1.41) from the rig; it trusts the loopback registry as every dockerd does. */
export const DOCKERD: EngineStarter = {
  name: 'dockerd',
  start: () => startDockerd(),
};

/** The engines every Compose v2 case runs against. */
export const ENGINES: EngineStarter[] = [BERTHD, DOCKERD];

/** Pushes the busybox fixture (all these tests run) as `ref` (default its catalog name); returns it in `registry`. */
export async function pushBusybox(registry: TestRegistry, ref?: string): Promise<string> {
  const { catalog, blobs } = await testImages();
  const name = ref ?? catalog.busybox.ref;
  await pushImage(registry, catalog.busybox.image, name, { blobs });
  return `${registry.host}/${name}`;
}

/** Escape sequences Compose writes even without a terminal (e.g. `ESC[2K` before each log line). */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/** A Compose project in a temp dir, driven with the rig's docker CLI and its Compose v2 plugin. */
export class ComposeProject {
  readonly dir: string;

  constructor(
    readonly name: string,
    readonly engine: ComposeEngine,
    files: Record<string, string>,
  ) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), `berth-compose-${name}-`));
    for (const [file, text] of Object.entries(files)) this.write(file, text);
  }

  write(file: string, text: string): void {
    const full = path.join(this.dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }

  private args(args: string[]): string[] {
    return ['compose', '--project-directory', this.dir, '--project-name', this.name, '--ansi', 'never', ...args];
  }

  /** `docker compose ARGS`, its output without escape sequences; never throws. */
  async run(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<DockerResult> {
    const r = await docker(this.args(args), { host: this.engine.dockerHost, timeoutMs: opts.timeoutMs ?? 120_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
    return { code: r.code, stdout: plain(r.stdout), stderr: plain(r.stderr) };
  }

  /** `docker compose ARGS`, which must exit 0; returns stdout (stderr carries Compose's progress lines). */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      const tail = (await this.engine.logs()).slice(-3000);
      throw new Error(`docker compose ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}\n--- engine log tail ---\n${tail}`);
    }
    return r.stdout;
  }

  /** The plain docker CLI against the same engine. */
  async docker(args: string[]): Promise<string> {
    const r = await docker(args, { host: this.engine.dockerHost });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** A long-running `docker compose ARGS` (logs -f, events, watch), read as it prints. */
  follow(args: string[]): FollowedCommand {
    const child = spawn(dockerBinary(), this.args(args), { env: dockerEnv(this.engine.dockerHost), stdio: ['ignore', 'pipe', 'pipe'] });
    return new FollowedCommand(child);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A child process whose stdout and stderr are collected, with a wait for a line that matches. */
export class FollowedCommand {
  private text = '';
  private readonly waiters = new Set<() => void>();
  private exited = false;

  constructor(private readonly child: ChildProcess) {
    const add = (c: Buffer): void => {
      this.text += plain(c.toString());
      for (const w of this.waiters) w();
    };
    child.stdout!.on('data', add);
    child.stderr!.on('data', add);
    child.once('exit', () => {
      this.exited = true;
      for (const w of this.waiters) w();
    });
  }

  get output(): string {
    return this.text;
  }

  /** Resolves once the output matches `re`; rejects (with the output so far) on timeout or exit without it. */
  waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = this.text.match(re);
        if (m) {
          done();
          resolve(m);
        } else if (this.exited) {
          done();
          reject(new Error(`exited without printing ${re}:\n${this.text}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${re}:\n${this.text}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    await stopByPid(this.child, 5_000);
  }
}

/** Polls `fn` until it returns a value that is not undefined, or fails with the last value seen. */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
