import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BERTHD_BIN, docker, startBerthd, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';

const run = promisify(execFile);

/** Runs berthd expecting it to exit by itself; returns its exit code and output. */
async function berthdExits(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BERTHD_BIN, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'berthd-proc-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Flags that keep a probe daemon away from every real path (with an empty daemon.json of its own). */
async function isolated(name: string, extra: string[] = [], daemonJson: unknown = {}): Promise<string[]> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'daemon.json'), JSON.stringify(daemonJson));
  return [
    '-H', `unix://${dir}/s.sock`, '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`,
    '--pidfile', `${dir}/p.pid`, '--config-file', `${dir}/daemon.json`, ...extra,
  ];
}

describe('berthd as a process', () => {
  it('prints its version and help', async () => {
    const v = await berthdExits(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^Berth Engine version \d+\.\d+\.\d+, build \S+/);
    const h = await berthdExits(['--help']);
    expect(h.code).toBe(0);
    for (const flag of ['--host', '--data-root', '--exec-root', '--pidfile', '--config-file', '--log-level', '--insecure-registry',
      '--registry-mirror', '--default-runtime', '--bip', '--default-address-pool', '--bridge-name']) {
      expect(h.stdout).toContain(flag);
    }
  });

  it('refuses a directive given both as a flag and in daemon.json, in dockerd words', async () => {
    const r = await berthdExits(await isolated('conflict', ['--bridge-name', 'bx0'], { 'bridge-name': 'by0' }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'the following directives are specified both as a flag and in the configuration file: bridge-name: (from flag: bx0, from file: by0)',
    );
  });

  it('refuses an explicit --config-file that does not exist', async () => {
    const r = await berthdExits([...(await isolated('nofile')), '--config-file', path.join(tmp, 'missing.json')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unable to configure berthd with file .*missing.json: .*no such file/);
  });

  it('refuses an unusable data root with a message that says what to do', async () => {
    const file = path.join(tmp, 'not-a-dir');
    await writeFile(file, 'x');
    const r = await berthdExits([...(await isolated('badroot')), '--data-root', path.join(file, 'data')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--data-root .* is not usable: .*choose another with --data-root/);
  });

  it('refuses TCP listeners, which would need TLS', async () => {
    const r = await berthdExits(await isolated('tcp', ['-H', 'tcp://127.0.0.1:2375']));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot listen on tcp://127.0.0.1:2375');
  });
});

describe('two daemons', () => {
  let first: RunningBerthd;
  beforeAll(async () => {
    first = await startBerthd();
  });
  afterAll(async () => {
    await first?.stop();
  });

  it('never share a data root', async () => {
    const r = await berthdExits([...(await isolated('second')), '--data-root', first.dataRoot]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`is in use by another berthd (pid ${first.pid})`);
    // Its socket listened before the lock was refused: the failed start takes it away again, and leaves no pidfile.
    expect(existsSync(path.join(tmp, 'second', 's.sock'))).toBe(false);
    expect(existsSync(path.join(tmp, 'second', 'p.pid'))).toBe(false);
    expect(await docker(['version', '--format', '{{.Server.Os}}'], { host: first.dockerHost })).toMatchObject({ code: 0 });
  });

  it('never share a socket', async () => {
    const r = await berthdExits([...(await isolated('third')), '-H', `unix://${first.socket}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`cannot listen on ${first.socket}: another process is serving it`);
  });
});

describe('daemon.json', () => {
  it('shows its labels in docker info, as dockerd does', async () => {
    const daemon = await startBerthd({ daemonJson: { labels: ['team=berth', 'tier=dev'] } });
    try {
      const r = await docker(['info', '--format', '{{json .Labels}}'], { host: daemon.dockerHost });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(['team=berth', 'tier=dev']);
    } finally {
      await daemon.stop();
    }
  });
});

describe('start-up', () => {
  it('answers calls made the moment its socket appears: version at once, the rest once its services have started', async () => {
    const dir = path.join(tmp, 'early-calls');
    const args = await isolated('early-calls');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BERTHD_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code)));
    try {
      const sock = path.join(dir, 's.sock');
      for (let i = 0; i < 2000 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 5));
      expect(existsSync(sock), stderr).toBe(true);
      const host = `unix://${sock}`;
      const [version, networks] = await Promise.all([
        docker(['version', '--format', '{{.Server.Version}}'], { host }),
        docker(['network', 'ls', '--format', '{{.Name}}'], { host }),
      ]);
      expect(version.code, version.stderr).toBe(0);
      expect(version.stdout.trim()).not.toBe('');
      expect(networks.code, networks.stderr).toBe(0);
      expect(networks.stdout.split('\n').filter(Boolean).sort()).toEqual(['bridge', 'host', 'none']);
      expect(stderr).toContain('berthd started');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
  });
});

describe('shutdown', () => {
  it('on SIGTERM removes its socket and pidfile, and a restart on the same data root works', async () => {
    const daemon = await startBerthd({ keep: true });
    expect(await daemon.stop()).toBe('exited');
    expect(existsSync(daemon.socket), `berthd's log:\n${await daemon.logs()}`).toBe(false);
    expect(existsSync(daemon.pidfile)).toBe(false);
    expect(existsSync(path.join(daemon.dataRoot, 'engine-id'))).toBe(true);
    await rm(path.dirname(daemon.socket), { recursive: true, force: true });
  });

  it('a SIGTERM that arrives while start-up finishes still shuts down cleanly', async () => {
    const dir = path.join(tmp, 'early-term');
    const args = await isolated('early-term');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BERTHD_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const sock = path.join(dir, 's.sock');
    // The socket file appears before start-up has returned: signal at once, as a supervisor stopping it might.
    for (let i = 0; i < 400 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(sock)).toBe(true);
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code))), stderr).toBe(0);
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(path.join(dir, 'p.pid'))).toBe(false);
  });

  it('after kill -9, a new daemon takes over the data root and the stale socket', async () => {
    const dir = path.join(tmp, 'crash');
    const args = await isolated('crash');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BERTHD_BIN, ...args], { stdio: 'ignore' });
    const sock = path.join(dir, 's.sock');
    for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(sock)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const again = spawn(process.execPath, [BERTHD_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    again.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; i < 200 && !stderr.includes('berthd started'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain('berthd started');
    again.kill('SIGTERM');
    expect(await new Promise((r) => again.once('exit', (code) => r(code)))).toBe(0);
  });
});
