import path from 'node:path';
import type { BerthPaths } from '../paths.js';

/** Where one install's VM keeps its files (under ~/.berth/vm and ~/.berth/logs). */
export interface VmFiles {
  dir: string;
  dataDisk: string;
  seedDisk: string;
  qmp: string;
  pidFile: string;
  /** Written once QEMU runs: what a later host process needs to re-attach. */
  stateFile: string;
  consoleLog: string;
  /** The VM's start-stage lines (virtio-serial port written to a file by QEMU). */
  stagesFile: string;
  /** The VM's control port (virtio-serial, a QEMU chardev socket; a pipe name on Windows): the go-ahead. */
  controlSocket: string;
  /** This install's boot snapshots, when the image directory is not writable (qemu/boot-snapshot.ts). */
  bootSnapshotDir: string;
  /** When each stage of the last start ended (host and guest clocks), for `npm run bench` and Troubleshoot. */
  startTimeline: string;
  qemuLog: string;
  /** `berth daemon`'s own log (its stdout and stderr). */
  hostLog: string;
  sshDir: string;
}

export function vmFiles(paths: BerthPaths, platform: NodeJS.Platform = process.platform): VmFiles {
  return {
    dir: paths.vm,
    dataDisk: path.join(paths.vm, 'data.qcow2'),
    seedDisk: path.join(paths.vm, 'seed.tar'),
    // Windows: a pipe name; elsewhere a unix socket (keep the path short: macOS caps them at 104 bytes).
    qmp: platform === 'win32' ? 'berth-qmp' : path.join(paths.vm, 'qmp.sock'),
    pidFile: path.join(paths.vm, 'qemu.pid'),
    stateFile: path.join(paths.vm, 'state.json'),
    consoleLog: path.join(paths.logs, 'console.log'),
    stagesFile: path.join(paths.vm, 'stages.log'),
    controlSocket: platform === 'win32' ? 'berth-control' : path.join(paths.vm, 'control.sock'),
    bootSnapshotDir: path.join(paths.vm, 'boot-snapshots'),
    startTimeline: path.join(paths.logs, 'last-start.json'),
    qemuLog: path.join(paths.logs, 'qemu.log'),
    hostLog: path.join(paths.logs, 'host.log'),
    sshDir: path.join(paths.home, 'ssh'),
  };
}
