import type { EventEmitter } from 'node:events';

/** The lifecycle every VM backend reports (after rancher-desktop's VMBackend). */
export type VmState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

/** Named start stages, in order; each has its own timeout so a failure says where it stuck. */
export const START_STAGES = ['prepare', 'boot', 'ssh', 'engine'] as const;
export type StartStage = (typeof START_STAGES)[number];

export interface StageProgress {
  stage: StartStage;
  /** 'begin' when the stage starts, 'end' when it completed. */
  phase: 'begin' | 'end';
  /** Milliseconds since start() was called. */
  elapsedMs: number;
  message?: string;
}

/** Settings that shape the VM; changing any of them while running needs a restart (see restartReasons). */
export interface VmSettings {
  cpus: number;
  memoryMiB: number;
  /** Maximum size of the sparse data disk; it only grows as data is written. */
  diskGiB: number;
  /** 'auto' probes: HVF on macOS, WHPX on Windows, KVM on Linux when it really works, TCG otherwise. */
  accel: 'auto' | Accelerator;
  /** Directory with vmlinuz, initrd.img, rootfs.squashfs and manifest.json. */
  imageDir: string;
  /** Host directories mounted in the VM at the same path (default: the user's home). Changes apply live. */
  shares: string[];
  /** Extra berthd flags (dockerd's), e.g. ['--insecure-registry', '10.0.2.2:5000']. */
  engineArgs: string[];
  /** The engine's daemon.json (~/.berth/daemon.json), handed to berthd in the VM; absent when empty. */
  daemonJson?: string;
  /**
   * Start from a saved boot snapshot (qemu/boot-snapshot.ts): the first start saves the VM's state at the point
   * before anything per start happens, later ones resume there. Default on; false boots every time.
   */
  bootSnapshot?: boolean;
}

export type Accelerator = 'kvm' | 'hvf' | 'whpx' | 'tcg';

export interface VmError {
  /** Stable code for the CLI's exit codes and the UI. */
  code: 'no-qemu' | 'image-missing' | 'timeout' | 'crashed' | 'port-taken' | 'failed';
  message: string;
  stage?: StartStage;
  /** Last lines of the serial console, for crashes and boot failures. */
  consoleTail?: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface VmStatus {
  state: VmState;
  accel?: Accelerator;
  pid?: number;
  sshPort?: number;
  startedAt?: string;
  error?: VmError;
  settings?: VmSettings;
}

export interface VmBackendEvents {
  state: [VmState];
  progress: [StageProgress];
  /** Not 'error': Node throws on an 'error' event nobody listens to. */
  failed: [VmError];
}

export interface VmBackend extends EventEmitter<VmBackendEvents> {
  readonly name: string;
  status(): VmStatus;
  /** Boots the VM and resolves when berthd answers; rejects with a VmStartError naming the stage. */
  start(settings: VmSettings): Promise<void>;
  /** Clean shutdown within the deadline, then forced. Resolves when no VM process is left. */
  stop(opts?: { timeoutMs?: number }): Promise<void>;
  restart(settings: VmSettings): Promise<void>;
  /** Stops the VM and deletes its data disk (all images, containers, volumes) and its keys. */
  reset(): Promise<void>;
  /** Re-attaches to a VM left running by a previous host process; false when there is none. */
  attach(): Promise<boolean>;
  /** Lets go of the running VM without stopping it (the host process exits); attach() picks it up again. */
  detach(): void;
  /** Runs a command in the VM (not per-operation: ~100 ms each under TCG). */
  exec(argv: string[]): Promise<ExecResult>;
  /** Why the given settings would need a restart of the running VM (empty: they apply live or nothing changed). */
  restartReasons(next: VmSettings): string[];
}

export class VmStartError extends Error {
  constructor(readonly detail: VmError) {
    super(detail.stage ? `${detail.stage}: ${detail.message}` : detail.message);
    this.name = 'VmStartError';
  }
}

export const DEFAULT_VM_SETTINGS: Omit<VmSettings, 'imageDir'> = {
  cpus: 2,
  memoryMiB: 2048,
  diskGiB: 64,
  accel: 'auto',
  shares: [],
  engineArgs: [],
};

/** Pure comparison shared by every backend. */
export function restartReasons(current: VmSettings | undefined, next: VmSettings): string[] {
  if (!current) return [];
  const reasons: string[] = [];
  if (current.cpus !== next.cpus) reasons.push(`CPUs ${current.cpus} → ${next.cpus}`);
  if (current.memoryMiB !== next.memoryMiB) reasons.push(`memory ${current.memoryMiB} MiB → ${next.memoryMiB} MiB`);
  if (current.diskGiB !== next.diskGiB) reasons.push(`disk size ${current.diskGiB} GiB → ${next.diskGiB} GiB`);
  if (current.accel !== next.accel) reasons.push(`accelerator ${current.accel} → ${next.accel}`);
  if (current.imageDir !== next.imageDir) reasons.push('VM image changed');
  if (current.engineArgs.join('\0') !== next.engineArgs.join('\0')) reasons.push('engine flags changed');
  if ((current.daemonJson ?? '') !== (next.daemonJson ?? '')) reasons.push('daemon.json changed');
  return reasons;
}
