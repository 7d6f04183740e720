import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { shellQuote } from '../../ssh/ssh-link.js';
import { sleep } from '../util.js';
import type { QemuCommand, QemuLaunchSpec } from './command-line.js';
import type { QmpClient } from './qmp.js';

/**
 * Boot snapshots. The VM's init runs to a point where nothing per start or per install has happened yet (kernel,
 * initramfs, read-only root, modules, Node with berthd's bundle evaluated and waiting; no seed read, no writable
 * disk mounted), reports `snapshot-point` and waits for the host's go-ahead on the control port. The first start
 * saves QEMU's state there (QMP `stop`, `migrate` to a file, `cont`); later starts launch QEMU with `-incoming
 * defer` and load that file, skipping kernel, init and Node's start. The go-ahead carries the host's clock and
 * random bytes (berth-resume in the VM sets the clock and reseeds the kernel's generator), so no two starts share
 * RNG state or a stale clock. A snapshot holds no secret of the install (the seed is read after the point), so
 * it is kept beside the image when that directory is writable (every install of this checkout shares it: a new
 * install's first start is restored too; vm-image/build.sh removes them with the image they were made from) and
 * under ~/.berth/vm/boot-snapshots otherwise.
 */

/** One file per key in a directory; `<key>.state` is QEMU's migration stream. */
export const SNAPSHOT_SUFFIX = '.state';

/** Where snapshots may live, most shared first: beside the image, then this install's own. */
export function snapshotDirs(imageDir: string, homeDir: string): string[] {
  return [path.join(imageDir, 'boot-snapshots'), homeDir];
}

function fileId(file: string): string {
  const st = statSync(file);
  return `${st.size}:${Math.round(st.mtimeMs)}`;
}

/** The virtual size of a qcow2 image (its header, bytes 24-31), or the file size of a raw one. */
export function diskBytes(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(32);
    const n = readSync(fd, head, 0, 32, 0);
    if (n === 32 && head.readUInt32BE(0) === 0x514649fb) return Number(head.readBigUInt64BE(24));
    return statSync(file).size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Everything a saved state must match to be loaded: the QEMU binary, the command line with this start's own paths
 * and port left out (machine, accelerator, CPUs, memory, the device list), the image files and the sizes of the
 * disks the VM probed before the point. Any change gives another key, so a stale snapshot is never loaded.
 */
export function snapshotKey(command: QemuCommand, spec: QemuLaunchSpec): string {
  const perStart: Array<[string, string]> = [
    [spec.kernel, '<kernel>'], [spec.initrd, '<initrd>'], [spec.rootfs, '<rootfs>'], [spec.dataDisk, '<data>'],
    [spec.seedDisk, '<seed>'], [spec.qmp, '<qmp>'], [spec.consoleLog, '<console>'], [spec.stagesFile, '<stages>'],
    [spec.controlSocket, '<control>'], [spec.pidFile, '<pid>'], [`127.0.0.1:${spec.sshPort}-`, '127.0.0.1:<ssh>-'],
  ];
  const args = command.args
    .filter((a, i, all) => a !== '-incoming' && all[i - 1] !== '-incoming')
    .map((a) => perStart.reduce((s, [from, to]) => s.split(from).join(to), a));
  const manifest = path.join(path.dirname(spec.kernel), 'manifest.json');
  const key = {
    v: 1,
    qemu: { path: command.binary, id: fileId(command.binary) },
    args,
    image: {
      manifest: existsSync(manifest) ? createHash('sha256').update(readFileSync(manifest)).digest('hex') : null,
      files: [spec.kernel, spec.initrd, spec.rootfs].map(fileId),
    },
    disks: { data: diskBytes(spec.dataDisk), seed: diskBytes(spec.seedDisk) },
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
}

/** The saved state for `key`, or undefined. */
export function findSnapshot(dirs: string[], key: string): string | undefined {
  return dirs.map((d) => path.join(d, key + SNAPSHOT_SUFFIX)).find((f) => existsSync(f));
}

/** Deletes every snapshot in `dirs` (all keys): factory reset, or a snapshot QEMU refused. */
export function removeSnapshots(dirs: string[], only?: string): void {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(SNAPSHOT_SUFFIX) && !name.endsWith(`${SNAPSHOT_SUFFIX}.partial`)) continue;
      if (only && name !== only + SNAPSHOT_SUFFIX) continue;
      rmSync(path.join(dir, name), { force: true });
    }
  }
}

async function waitFor(qmp: QmpClient, what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} took more than ${timeoutMs / 1000} s`);
    if (qmp.isClosed) throw new Error(`QEMU exited during ${what}`);
    await sleep(30);
  }
}

/** Snapshots kept per place, newest first (settings differing between installs or tests each have their own). */
export const SNAPSHOTS_KEPT = 3;

/** Removes all but the newest SNAPSHOTS_KEPT snapshots of `dir`. */
function pruneSnapshots(dir: string): void {
  const states = readdirSync(dir)
    .filter((n) => n.endsWith(SNAPSHOT_SUFFIX))
    .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { n } of states.slice(SNAPSHOTS_KEPT)) rmSync(path.join(dir, n), { force: true });
}

/**
 * Saves the paused VM's state as `<dir>/<key>.state` (the first writable of `dirs`), then resumes it. Resolves
 * with the file; the VM runs again either way.
 */
export async function saveSnapshot(qmp: QmpClient, dirs: string[], key: string, timeoutMs = 60_000): Promise<string> {
  const dir = dirs.find((d) => {
    try {
      mkdirSync(d, { recursive: true });
      return true;
    } catch {
      return false;
    }
  });
  if (!dir) throw new Error(`no writable place for a boot snapshot (${dirs.join(', ')})`);
  const file = path.join(dir, key + SNAPSHOT_SUFFIX);
  const partial = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
  await qmp.execute('stop');
  try {
    // QEMU's default migration bandwidth (32 MiB/s) is for a live VM on a network; this one is paused.
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': 8 * 1024 ** 3 });
    await qmp.execute('migrate', { uri: `exec:cat > ${shellQuote([partial])}` });
    await waitFor(qmp, 'saving the boot snapshot', timeoutMs, async () => {
      const info = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
      if (info.status === 'failed' || info.status === 'cancelled') throw new Error(`saving the boot snapshot failed: ${info['error-desc'] ?? info.status}`);
      return info.status === 'completed';
    });
    renameSync(partial, file);
    pruneSnapshots(dir);
    return file;
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    await qmp.execute('cont').catch(() => undefined);
  }
}

/**
 * Loads `file` into a QEMU started with `-incoming defer` and resumes the VM once it is loaded (it was saved
 * paused, so QEMU leaves it paused). QEMU 7.2 exits when the stream does not fit its devices (then the QMP socket
 * closes and this rejects), so the caller boots instead.
 */
export async function restoreSnapshot(qmp: QmpClient, file: string, timeoutMs = 30_000): Promise<void> {
  await qmp.execute('migrate-incoming', { uri: `exec:cat ${shellQuote([file])}` });
  await waitFor(qmp, 'loading the boot snapshot', timeoutMs, async () => (await qmp.execute<{ status: string }>('query-status')).status !== 'inmigrate');
  await qmp.execute('cont');
}
