import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDockerBinary } from '../../../../scripts/src/testrig/index.js';
import { DEFAULT_VM_SETTINGS, type StageProgress, type VmError, type VmSettings } from '../../../src/host/vm/backend.js';
import { ENGINE_SOCKET_IN_VM } from '../../../src/host/vm/engine-probe.js';
import { QemuBackend } from '../../../src/host/vm/qemu/qemu-backend.js';
import { isAlive } from '../../../src/host/vm/util.js';
import { vmFiles } from '../../../src/host/vm/vm-files.js';
import { berthPaths } from '../../../src/host/paths.js';
import { EngineSocketServer } from '../../../src/host/tunnel/engine-socket.js';
import { ensureImage } from './vm-image.js';

const run = promisify(execFile);

// Boots the real image under QEMU (TCG here: this machine's KVM cannot run a normal guest) and drives berthd with
// the real docker CLI through the SSH-tunnelled host socket.
describe('QEMU VM backend', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-vm-'));
  const paths = berthPaths({ BERTH_HOME: home });
  const files = vmFiles(paths);
  let settings: VmSettings;
  let backend: QemuBackend;
  let tunnel: EngineSocketServer;
  const progress: StageProgress[] = [];
  const docker = (...args: string[]) =>
    run(bundledDockerBinary(), ['-H', `unix://${paths.dockerSocket}`, ...args], { env: { ...process.env, HOME: home } });

  beforeAll(async () => {
    settings = { ...DEFAULT_VM_SETTINGS, imageDir: ensureImage(), memoryMiB: 1536 };
    backend = new QemuBackend({ files });
    backend.on('progress', (p) => progress.push(p));
    const t0 = Date.now();
    await backend.start(settings);
    console.log(`VM boot to engine ready: ${Date.now() - t0} ms`, progress.filter((p) => p.phase === 'end').map((p) => `${p.stage}@${p.elapsedMs}`).join(' '));
    tunnel = new EngineSocketServer({ socketPath: paths.dockerSocket, openChannel: () => backend.ssh().streamLocal(ENGINE_SOCKET_IN_VM) });
    await tunnel.listen();
  }, 420_000);

  afterAll(async () => {
    await tunnel?.close();
    await backend?.stop({ timeoutMs: 5000 }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  it('reports every start stage in order', () => {
    expect(progress.filter((p) => p.phase === 'end').map((p) => p.stage)).toEqual(['prepare', 'boot', 'ssh', 'engine']);
    expect(backend.status().state).toBe('running');
  });

  it('answers docker version and docker info through ~/.berth/run/docker.sock', async () => {
    const version = await docker('version', '--format', '{{.Server.Os}}/{{.Server.Arch}} {{.Server.KernelVersion}}');
    expect(version.stdout.trim()).toMatch(/^linux\/amd64 6\.1\./);
    const info = await docker('info', '--format', '{{.OperatingSystem}}|{{.KernelVersion}}|{{.NCPU}}');
    expect(info.stdout.trim()).toMatch(/\|6\.1\..*\|2$/);
  });

  it('runs commands in the VM and keeps the host key and data disk outside the image', async () => {
    const res = await backend.exec(['sh', '-c', 'mount | grep -c " on / type squashfs (ro"; findmnt -n -o SOURCE /var/lib/berth']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n')[0]).toBe('1');
    expect(res.stdout).toContain('/dev/vdb');
  });

  it('re-attaches from a new host process object to the still-running VM', async () => {
    const pid = backend.status().pid;
    backend.detach();
    const again = new QemuBackend({ files });
    expect(await again.attach()).toBe(true);
    expect(again.status()).toMatchObject({ state: 'running', pid });
    const res = await again.exec(['uname', '-r']);
    expect(res.stdout).toMatch(/^6\.1\./);
    again.detach();
    expect(await backend.attach()).toBe(true);
  });

  it('stops cleanly: the init powers off and no QEMU process is left', async () => {
    const pid = backend.status().pid ?? 0;
    await backend.stop();
    expect(isAlive(pid)).toBe(false);
    expect(backend.status().state).toBe('stopped');
    expect(readFileSync(files.consoleLog, 'utf8')).toMatch(/berth-init: \[[\d.]+\] powering off/);
    const down = await docker('version').catch((e: { stderr: string }) => e);
    expect(String((down as { stderr?: string }).stderr)).toMatch(/VM is not running/);
  });

  it('detects a crashed VM (kill -9 of QEMU) and reports it with the console tail', async () => {
    await backend.start(settings);
    const pid = backend.status().pid ?? 0;
    const crashed = new Promise<VmError>((resolve) => backend.once('failed', resolve));
    process.kill(pid, 'SIGKILL');
    const err = await crashed;
    expect(err.code).toBe('crashed');
    expect(err.consoleTail).toMatch(/berth-init: \[[\d.]+\] ready/);
    expect(backend.status().state).toBe('error');
  }, 300_000);
});
