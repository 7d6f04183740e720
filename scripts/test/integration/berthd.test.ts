import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BERTHD_ENTRY, docker, pingSocket, startBerthd, type RunningBerthd } from '../../src/testrig/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The rig can only launch berthd once the engine is built (`npx tsc -b engine`); the README's test command builds it.
describe(`berthd launched by the rig (${BERTHD_ENTRY})`, () => {
  let daemon: RunningBerthd;

  beforeAll(async () => {
    daemon = await startBerthd({ insecureRegistries: ['127.0.0.1:5999'] });
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it('answers the real docker CLI on its own socket', async () => {
    const res = await docker(['version', '--format', '{{json .}}'], { host: daemon.dockerHost });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const v = JSON.parse(res.stdout) as { Server: { Os: string; ApiVersion: string } | null };
    expect(v.Server?.Os).toBe('linux');
  });

  it('reports its own data root to docker info', async () => {
    const res = await docker(['info', '--format', '{{.DockerRootDir}}'], { host: daemon.dockerHost });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(daemon.dataRoot);
  });

  it('runs two daemons side by side, each on its own bridge and subnet, and stops one cleanly by PID', async () => {
    const second = await startBerthd();
    try {
      expect(second.bridge.bridgeName).not.toBe(daemon.bridge.bridgeName);
      expect(second.bridge.subnet).not.toBe(daemon.bridge.subnet);
      expect(await pingSocket(second.socket)).toBe(200);
    } finally {
      expect(await second.stop()).toBe('exited');
    }
    expect(alive(second.pid)).toBe(false);
    expect(existsSync(second.dataRoot)).toBe(false);
    expect(existsSync(second.socket)).toBe(false);
    expect(await pingSocket(daemon.socket)).toBe(200);
  });

  it('says why when the daemon cannot start, with its log', async () => {
    // A second daemon on the same data root must be refused by berthd's lock; the rig's error shows berthd's words.
    await expect(startBerthd({ extraArgs: ['--data-root', daemon.dataRoot], readyTimeoutMs: 15_000 })).rejects.toThrow(/--- berthd log \(tail\) ---\n.*\S/);
  });
});
