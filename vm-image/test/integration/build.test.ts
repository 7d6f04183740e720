import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Builds (or reuses the cached) amd64 image and checks what the VM backend relies on.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'out', 'amd64');

interface Manifest {
  key: string;
  arch: string;
  kernel: string;
  node: string;
  artifacts: Record<string, { size: number; sha256: string }>;
  packages: { name: string; version: string }[];
}

function build(): string {
  const res = spawnSync(join(root, 'build.sh'), ['--arch', 'amd64'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`build failed (${res.status}):\n${res.stderr}`);
  return res.stderr;
}

describe('vm-image build', () => {
  let manifest: Manifest;
  beforeAll(() => {
    build();
    manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  }, 600_000);

  it('records the sha256 of every artifact', () => {
    for (const name of ['vmlinuz', 'initrd.img', 'rootfs.squashfs']) {
      const digest = createHash('sha256').update(readFileSync(join(out, name))).digest('hex');
      expect(manifest.artifacts[name]?.sha256).toBe(digest);
    }
    expect(manifest.arch).toBe('amd64');
    expect(manifest.node.split('.')[0]).toBe(process.versions.node.split('.')[0]);
    expect(manifest.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['openssh-server', 'crun', 'runc', 'tini']));
  });

  it('puts node, berthd, the init and the kernel modules in a root filesystem without host keys', () => {
    const list = execFileSync('unsquashfs', ['-l', '-d', '', join(out, 'rootfs.squashfs')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    for (const path of [
      '/usr/local/bin/node',
      '/opt/berth/engine/dist/cmd/berthd.cjs',
      '/opt/berth/engine/dist/cmd/berthd.cjs.v8cache',
      '/usr/local/lib/berth/berthd-loader.cjs',
      '/opt/berth/engine/bin/berth-monitor',
      '/usr/sbin/berth-init',
      '/usr/sbin/sshd',
      '/usr/bin/crun',
      '/usr/sbin/runc',
      `/usr/lib/modules/${manifest.kernel}/kernel/fs/overlayfs/overlay.ko`,
    ]) {
      expect(list).toContain(`${path}\n`);
    }
    expect(list).not.toMatch(/ssh_host_.*_key/);
  });

  it("ships a data disk template whose inode tables are zeroed (no ext4lazyinit at the VM's boots)", () => {
    const raw = join(mkdtempSync(join(tmpdir(), 'berth-data-')), 'data.raw');
    try {
      execFileSync('qemu-img', ['convert', '-q', '-f', 'qcow2', '-O', 'raw', join(out, 'data-ext4-64g.qcow2'), raw]);
      const groups = execFileSync('dumpe2fs', [raw], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n')
        .filter((l) => /^Group \d+:/.test(l));
      expect(groups.length).toBe(512);
      expect(groups.filter((l) => !l.includes('ITABLE_ZEROED'))).toEqual([]);
    } finally {
      rmSync(dirname(raw), { recursive: true, force: true });
    }
  });

  it('does nothing when no input changed', () => {
    const log = build();
    const again = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    // The last part of the key is berthd's: in a shared checkout the engine may have changed in between.
    const [base, inputs, engine] = manifest.key.split('-');
    expect(again.key.startsWith(`${base}-${inputs}-`)).toBe(true);
    if (again.key.endsWith(`-${engine}`)) expect(log).toContain('up to date');
  });
});
