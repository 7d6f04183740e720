import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskBytes, findSnapshot, removeSnapshots, snapshotKey } from './boot-snapshot.js';
import { qemuCommand, type QemuLaunchSpec } from './command-line.js';
import { ControlPort } from './control-port.js';

describe('boot snapshot keys', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-snapkey-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['vmlinuz', 'initrd.img', 'rootfs.squashfs', 'manifest.json', 'qemu']) writeFileSync(path.join(dir, f), f);
  const qcow2 = Buffer.alloc(32);
  qcow2.writeUInt32BE(0x514649fb, 0);
  qcow2.writeBigUInt64BE(64n << 30n, 24);
  writeFileSync(path.join(dir, 'data.qcow2'), qcow2);
  writeFileSync(path.join(dir, 'seed.tar'), Buffer.alloc(1 << 20));
  const spec = (over: Partial<QemuLaunchSpec> = {}, home = '/home/a/.berth'): QemuLaunchSpec => ({
    platform: 'linux', arch: 'x64', accel: 'tcg', cpus: 2, memoryMiB: 2048,
    kernel: path.join(dir, 'vmlinuz'), initrd: path.join(dir, 'initrd.img'), rootfs: path.join(dir, 'rootfs.squashfs'),
    dataDisk: path.join(dir, 'data.qcow2'), seedDisk: path.join(dir, 'seed.tar'), sshPort: 40000,
    qmp: `${home}/vm/qmp.sock`, consoleLog: `${home}/logs/console.log`, stagesFile: `${home}/vm/stages.log`,
    controlSocket: `${home}/vm/control.sock`, pidFile: `${home}/vm/qemu.pid`, ...over,
  });
  const key = (s: QemuLaunchSpec) => snapshotKey({ ...qemuCommand(s), binary: path.join(dir, 'qemu') }, s);

  it('is the same for another install, SSH port or -incoming, and differs with memory, CPUs or accelerator', () => {
    const base = key(spec());
    expect(key(spec({ sshPort: 40001 }, '/home/b/.berth'))).toBe(base);
    expect(key(spec({ incoming: true }))).toBe(base);
    expect(key(spec({ memoryMiB: 1536 }))).not.toBe(base);
    expect(key(spec({ cpus: 4 }))).not.toBe(base);
    expect(key(spec({ accel: 'kvm' }))).not.toBe(base);
  });

  it('differs when an image file or the QEMU binary changes', () => {
    const base = key(spec());
    utimesSync(path.join(dir, 'rootfs.squashfs'), new Date(), new Date(Date.now() + 5000));
    const changed = key(spec());
    expect(changed).not.toBe(base);
    writeFileSync(path.join(dir, 'qemu'), 'another qemu');
    expect(key(spec())).not.toBe(changed);
  });

  it('reads the virtual size of a qcow2 data disk and the size of a raw one', () => {
    expect(diskBytes(path.join(dir, 'data.qcow2'))).toBe(64 * 1024 ** 3);
    expect(diskBytes(path.join(dir, 'seed.tar'))).toBe(1 << 20);
  });

  it('finds the first place holding the key and removes only what is asked', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
    expect(findSnapshot([a, b], 'k1')).toBeUndefined();
    for (const [d, k] of [[b, 'k1'], [a, 'k2'], [b, 'k2']] as const) {
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, `${k}.state`), 'state');
    }
    expect(findSnapshot([a, b], 'k1')).toBe(path.join(b, 'k1.state'));
    expect(findSnapshot([a, b], 'k2')).toBe(path.join(a, 'k2.state'));
    removeSnapshots([a], 'k2');
    expect(findSnapshot([a, b], 'k2')).toBe(path.join(b, 'k2.state'));
    removeSnapshots([a, b]);
    expect(findSnapshot([a, b], 'k1')).toBeUndefined();
  });
});

describe('the go-ahead line', () => {
  it('carries the host clock in seconds and 32 fresh random bytes', () => {
    const a = ControlPort.goAheadLine(1_800_000_000_123);
    const b = ControlPort.goAheadLine(1_800_000_000_123);
    expect(a).toMatch(/^go 1800000000\.123 [0-9a-f]{64}\n$/);
    expect(a).not.toBe(b);
  });
});
