import { EventEmitter } from 'node:events';
import { closeSync, openSync, readSync, watch, writeFileSync, type FSWatcher } from 'node:fs';

/**
 * Start stages the VM reports on its virtio-serial port `org.berth.stages` (QEMU writes the port to a file), one
 * `<stage> <uptime in s> [note]` line each: berth-init for the kernel, the initramfs, its own set-up, sshd, the data
 * disk and the kernel modules, the boot-snapshot point and the go-ahead after it (boot-snapshot.ts); berthd's loader once berthd's API socket accepts connections (`berthd-ready`: /_ping
 * and /version answer, other calls wait for its services) and once those have started. The host learns the VM
 * is ready from these lines (inotify on the file), without polling through SSH.
 */
export const GUEST_STAGES = ['kernel-done', 'initramfs-done', 'snapshot-point', 'go-ahead', 'init-done', 'sshd-listening', 'data-disk-done', 'modules-needed', 'berthd-ready', 'berthd-started', 'modules-done'] as const;
export type GuestStageName = (typeof GUEST_STAGES)[number];

export interface GuestStage {
  name: string;
  /** The VM's uptime when the stage ended (its clock starts with the kernel). */
  uptimeMs: number;
  /** E.g. `formatted` on the data disk's first boot. */
  note?: string;
  /** Host clock (Date.now()) when the line arrived. */
  receivedAt: number;
}

export function parseStageLine(line: string, receivedAt: number): GuestStage | undefined {
  const m = /^([a-z][a-z0-9-]*) (\d+(?:\.\d+)?)(?: (\S.*))?$/.exec(line.trim());
  if (!m) return undefined;
  return { name: m[1]!, uptimeMs: Math.round(Number(m[2]) * 1000), ...(m[3] ? { note: m[3] } : {}), receivedAt };
}

/**
 * The host clock at the VM's uptime 0: under emulation and hardware virtualisation alike the guest clock runs at
 * the host's pace, so each line bounds it from above (a line arrives after it was written); the smallest is best.
 */
export function guestEpoch(stages: GuestStage[]): number | undefined {
  if (!stages.length) return undefined;
  return Math.min(...stages.map((s) => s.receivedAt - s.uptimeMs));
}

/** Follows the stage file QEMU writes; `reset()` before QEMU starts, `close()` when done. */
export class GuestStageWatcher extends EventEmitter<{ stage: [GuestStage] }> {
  readonly seen: GuestStage[] = [];
  private watcher: FSWatcher | undefined;
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string) {
    super();
  }

  /** Empties the file (QEMU opens it with O_TRUNC too) and starts following it. */
  reset(): void {
    this.close();
    this.seen.length = 0;
    this.offset = 0;
    this.partial = '';
    writeFileSync(this.file, '', { mode: 0o600 });
    this.watcher = watch(this.file, () => this.read());
    this.watcher.on('error', () => undefined);
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Resolves when the VM has reported `name` (at once when it already has). */
  when(name: GuestStageName): Promise<GuestStage> {
    this.read();
    const done = this.seen.find((s) => s.name === name);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const on = (s: GuestStage) => {
        if (s.name !== name) return;
        this.off('stage', on);
        resolve(s);
      };
      this.on('stage', on);
    });
  }

  private read(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(4096);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.subarray(0, n).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    const now = Date.now();
    for (const line of lines) {
      const s = parseStageLine(line, now);
      if (!s) continue;
      this.seen.push(s);
      this.emit('stage', s);
    }
  }
}
