import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { VmStartError, type Accelerator, type VmSettings } from '../backend.js';
import { seedTar } from '../seed.js';
import { findExecutable } from '../util.js';
import type { VmFiles } from '../vm-files.js';
import type { SshKeys } from '../../ssh/keys.js';
import type { QemuCommand, QemuLaunchSpec } from './command-line.js';

const run = promisify(execFile);

/** What prepare() hands to the boot: the command line, and the boot snapshot to resume from when there is one. */
export interface Launch {
  command: QemuCommand;
  sshPort: number;
  accel: Accelerator;
  /** Undefined when boot snapshots are off for this start. */
  snapshot?: { key: string; dirs: string[]; file?: string };
}

/** What a later host process needs to re-attach to a running VM (VmFiles.stateFile). */
export interface VmStateFile {
  pid: number;
  sshPort: number;
  accel: Accelerator;
  startedAt: string;
  settings: VmSettings;
}

/** The QEMU launch of one start: this install's files, the image's, the settings' shape. */
export function launchSpec(o: { files: VmFiles; settings: VmSettings; platform: NodeJS.Platform; arch: 'x64' | 'arm64'; accel: Accelerator; sshPort: number }): QemuLaunchSpec {
  const { files, settings } = o;
  return {
    platform: o.platform,
    arch: o.arch,
    accel: o.accel,
    cpus: settings.cpus,
    memoryMiB: settings.memoryMiB,
    kernel: path.join(settings.imageDir, 'vmlinuz'),
    initrd: path.join(settings.imageDir, 'initrd.img'),
    rootfs: path.join(settings.imageDir, 'rootfs.squashfs'),
    dataDisk: files.dataDisk,
    seedDisk: files.seedDisk,
    sshPort: o.sshPort,
    qmp: files.qmp,
    consoleLog: files.consoleLog,
    stagesFile: files.stagesFile,
    controlSocket: files.controlSocket,
    pidFile: files.pidFile,
  };
}

/** The seed disk's size is a multiple of this: the VM probed its size before a boot-snapshot point (see there). */
export const SEED_DISK_ALIGN = 1024 * 1024;

/** Throws image-missing when a file the VM boots from is not there. */
export function checkImage(imageDir: string): void {
  for (const name of ['vmlinuz', 'initrd.img', 'rootfs.squashfs']) {
    if (!existsSync(path.join(imageDir, name))) {
      throw new VmStartError({ code: 'image-missing', stage: 'prepare', message: `VM image file ${path.join(imageDir, name)} is missing (build it with vm-image/build.sh)` });
    }
  }
}

/** A new install's data disk: the image's pre-formatted template when there is one, else a blank qcow2. */
export async function ensureDataDisk(files: VmFiles, settings: VmSettings, qemuDirs: string[]): Promise<void> {
  const template = path.join(settings.imageDir, `data-ext4-${settings.diskGiB}g.qcow2`);
  if (!existsSync(files.dataDisk) && existsSync(template)) {
    // Formatted when the image was built (a few MiB, sparse): the first boot does not run mkfs under emulation.
    // Copied under another name and renamed, so a crash mid-copy never leaves a half disk to boot from.
    const partial = `${files.dataDisk}.partial`;
    copyFileSync(template, partial);
    renameSync(partial, files.dataDisk);
  }
  if (existsSync(files.dataDisk)) return;
  const qemuImg = findExecutable('qemu-img', qemuDirs);
  if (!qemuImg) throw new VmStartError({ code: 'no-qemu', stage: 'prepare', message: 'qemu-img not found' });
  // Sparse and unformatted: the VM formats it on first boot (no mkfs needed on macOS/Windows hosts).
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', files.dataDisk, `${settings.diskGiB}G`]);
}

/**
 * The seed disk of this start (keys, berthd's arguments, daemon.json), zero-padded to a whole MiB: the VM learns
 * the disk's size when it probes it, which a resumed VM did in the start that saved its snapshot.
 */
export async function writeSeedDisk(files: VmFiles, settings: VmSettings, keys: SshKeys): Promise<void> {
  const tar = await seedTar({
    hostPrivateKey: keys.hostPrivate,
    authorizedKeys: keys.clientPublic,
    engineArgs: settings.engineArgs,
    ...(settings.daemonJson !== undefined ? { daemonJson: settings.daemonJson } : {}),
  });
  const padded = Buffer.alloc(Math.max(1, Math.ceil(tar.length / SEED_DISK_ALIGN)) * SEED_DISK_ALIGN);
  tar.copy(padded);
  writeFileSync(files.seedDisk, padded, { mode: 0o600 });
}
