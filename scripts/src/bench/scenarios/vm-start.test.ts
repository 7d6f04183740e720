import { describe, expect, it } from 'vitest';
import { startStages } from './vm-start.js';

describe('VM start stages', () => {
  it('splits one start into its stages on the host clock', () => {
    const guest = (name: string, atMs: number) => ({ name, atMs });
    const stages = startStages(
      {
        startedAt: 10_000,
        host: { 'qemu-spawned': 200, 'qmp-up': 300, 'ssh-connected': 2_600, 'engine-answered': 4_100, 'socket-served': 4_150 },
        guestEpochMs: 500,
        guest: [
          guest('kernel-done', 1_500),
          guest('initramfs-done', 1_700),
          guest('init-done', 2_000),
          guest('sshd-listening', 2_300),
          guest('data-disk-done', 2_400),
          guest('modules-needed', 2_500),
          guest('berthd-ready', 4_000),
        ],
      },
      9_900,
      14_400,
    );
    expect(stages).toEqual({
      'berth CLI + host process until QEMU runs': 300,
      'QEMU launch + firmware until the kernel runs': 300,
      'kernel (until the initramfs)': 1_000,
      'init (initramfs, berth-init set-up)': 500,
      'data disk (check, mount; format on a blank disk)': 400,
      'modules berthd needs (beside the data disk)': 500,
      'sshd listening (from init)': 300,
      'SSH session (handshake)': 300,
      'system ready for berthd (disk + modules), from init': 500,
      'berthd ready, after system ready': 1_500,
      'host socket served (ping through SSH)': 150,
      'berth start returns + docker version': 250,
    });
  });

  it('times the restore instead of kernel and init when the VM was resumed from its boot snapshot', () => {
    const guest = (name: string, atMs: number) => ({ name, atMs });
    const stages = startStages(
      {
        startedAt: 10_000,
        host: { 'qemu-spawned': 200, 'snapshot-restored': 700, 'go-ahead': 710, 'ssh-connected': 2_000, 'engine-answered': 3_100, 'socket-served': 3_150 },
        guestEpochMs: -8_000,
        snapshot: { outcome: 'restored' },
        guest: [guest('go-ahead', 750), guest('init-done', 1_000), guest('sshd-listening', 1_800), guest('data-disk-done', 1_500), guest('modules-needed', 1_100), guest('berthd-ready', 3_000)],
      },
      9_900,
      13_400,
    );
    expect(stages).toEqual({
      'berth CLI + host process until QEMU runs': 300,
      'QEMU launch + boot snapshot restore (until the VM runs)': 500,
      'go-ahead (clock, RNG) + seed until init done': 290,
      'data disk (check, mount; format on a blank disk)': 500,
      'modules berthd needs (beside the data disk)': 100,
      'sshd listening (from init)': 800,
      'SSH session (handshake)': 200,
      'system ready for berthd (disk + modules), from init': 500,
      'berthd ready, after system ready': 1_500,
      'host socket served (ping through SSH)': 150,
      'berth start returns + docker version': 250,
    });
  });

  it('names a stage the VM did not report', () => {
    expect(() => startStages({ startedAt: 0, host: {}, guest: [] }, 0, 0)).toThrow(/did not report stage/);
  });
});
