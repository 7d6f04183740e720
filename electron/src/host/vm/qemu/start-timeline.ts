import { guestEpoch, type GuestStage } from './guest-stages.js';

/**
 * When each step of the last start ended, in ms after start() was called: the host's own steps and the stages the
 * VM reported (placed on the host clock through guestEpoch). Written to VmFiles.startTimeline by VmService.
 */
export interface StartTimeline {
  /** Date.now() when start() was called. */
  startedAt: number;
  /**
   * qemu-spawned, qmp-up, snapshot-restored or snapshot-saved, go-ahead, ssh-connected, engine-answered (and
   * socket-served, added by VmService).
   */
  host: Record<string, number>;
  /** The VM's uptime 0 (the kernel starting), on the same scale; a resumed VM's uptime goes on from its snapshot's. */
  guestEpochMs?: number;
  guest: Array<{ name: string; atMs: number; uptimeMs: number; note?: string }>;
  /** How the VM came up: restored from a boot snapshot, booted (saving one, or not), or booted after a failed restore. */
  snapshot?: { outcome: 'restored' | 'saved' | 'booted' | 'fallback'; note?: string };
}

/** A copy of `t` with the VM's stages seen so far placed on the host clock. */
export function timelineWithStages(t: StartTimeline, seen: GuestStage[]): StartTimeline {
  const epoch = guestEpoch(seen);
  return {
    ...t,
    host: { ...t.host },
    ...(t.snapshot ? { snapshot: { ...t.snapshot } } : {}),
    ...(epoch !== undefined ? { guestEpochMs: epoch - t.startedAt } : {}),
    guest: seen.map((g) => ({
      name: g.name,
      uptimeMs: g.uptimeMs,
      atMs: epoch !== undefined ? epoch - t.startedAt + g.uptimeMs : g.receivedAt - t.startedAt,
      ...(g.note ? { note: g.note } : {}),
    })),
  };
}
