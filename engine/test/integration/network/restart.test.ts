import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BERTHD_BIN, allocateBridge, docker, pingSocket, releaseBridge, stopByPid } from '../../../../scripts/src/testrig/index.js';

const bridge = allocateBridge();
let dir = '';
let child: ChildProcess | undefined;

/** berthd on a fixed data root and bridge, so a second process can take over what the first left. */
async function start(): Promise<string> {
  const sock = path.join(dir, 's.sock');
  const args = [
    '-H', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'p.pid'),
    '--config-file', path.join(dir, 'daemon.json'), '--bridge-name', bridge.bridgeName, '--bip', bridge.bip,
    '--default-address-pool', 'base=10.215.0.0/16,size=24',
  ];
  child = spawn(process.execPath, [BERTHD_BIN, ...args], { stdio: 'ignore' });
  for (let i = 0; i < 300; i++) {
    if ((await pingSocket(sock).catch(() => 0)) === 200) return `unix://${sock}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('berthd did not come up');
}

/** This engine's rules only: other engines on the machine (other test files) tag theirs with their own ID. */
const taggedRules = (): string[] => {
  const engineId = readFileSync(path.join(dir, 'data', 'engine-id'), 'utf8').trim();
  const tag = `berth:${engineId.replace(/-/g, '').slice(0, 12)}:`;
  return execFileSync('iptables-save', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(bridge.bridgeName) || l.includes(tag));
};
const linkNames = (): string[] =>
  execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1] ?? '');

afterAll(async () => {
  if (child) await stopByPid(child, 10_000);
  releaseBridge(bridge);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('berthd networking across kill -9', () => {
  it('re-installs each rule exactly once, keeps its bridges, and removes everything on a clean stop', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-netrestart-'));
    await writeFile(path.join(dir, 'daemon.json'), '{}');
    let host = await start();
    const created = await docker(['network', 'create', '--subnet', '10.215.77.0/24', 'survivor'], { host });
    expect(created.code).toBe(0);
    const userBridge = `br-${created.stdout.trim().slice(0, 12)}`;
    const before = taggedRules().sort();
    expect(before.some((l) => l.includes(userBridge))).toBe(true);
    expect(before.some((l) => l.includes(bridge.bridgeName))).toBe(true);

    child?.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    host = await start();
    expect(taggedRules().sort()).toEqual(before);
    expect(linkNames()).toEqual(expect.arrayContaining([bridge.bridgeName, userBridge]));
    const ls = await docker(['network', 'ls', '--format', '{{.Name}}'], { host });
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['bridge', 'host', 'none', 'survivor']);

    expect(await stopByPid(child as ChildProcess, 10_000)).toBe('exited');
    child = undefined;
    expect(taggedRules()).toEqual([]);
    expect(linkNames()).not.toContain(bridge.bridgeName);
    expect(linkNames()).not.toContain(userBridge);
  });
});
