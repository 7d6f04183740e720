import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guestEpoch, GuestStageWatcher, parseStageLine } from './guest-stages.js';

describe('guest start stages', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('parses "<stage> <uptime> [note]" lines and ignores anything else', () => {
    expect(parseStageLine('data-disk-done 12.34 formatted', 1000)).toEqual({ name: 'data-disk-done', uptimeMs: 12340, note: 'formatted', receivedAt: 1000 });
    expect(parseStageLine('kernel-done 1.5\n', 5)).toEqual({ name: 'kernel-done', uptimeMs: 1500, receivedAt: 5 });
    expect(parseStageLine('garbage', 0)).toBeUndefined();
    expect(parseStageLine('kernel-done soon', 0)).toBeUndefined();
  });

  it('places the guest clock on the host clock by the line that arrived soonest after it was written', () => {
    const at = (uptimeMs: number, receivedAt: number) => ({ name: 's', uptimeMs, receivedAt });
    expect(guestEpoch([at(1000, 11_050), at(2000, 12_010), at(3000, 13_400)])).toBe(10_010);
    expect(guestEpoch([])).toBeUndefined();
  });

  it('follows the file QEMU writes, lines split across writes included, and resolves waits for a stage', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-stages-'));
    dirs.push(dir);
    const file = path.join(dir, 'stages.log');
    const w = new GuestStageWatcher(file);
    w.reset();
    try {
      appendFileSync(file, 'kernel-done 1.20\ninit-');
      const init = w.when('init-done');
      appendFileSync(file, 'done 2.50\n');
      expect(await init).toMatchObject({ name: 'init-done', uptimeMs: 2500 });
      expect(await w.when('kernel-done')).toMatchObject({ uptimeMs: 1200 });
      const ready = w.when('berthd-ready');
      appendFileSync(file, 'berthd-ready 9.00\n');
      expect(await ready).toMatchObject({ uptimeMs: 9000 });
      expect(w.seen.map((s) => s.name)).toEqual(['kernel-done', 'init-done', 'berthd-ready']);
      // A new start empties the file and forgets the stages seen.
      w.reset();
      expect(w.seen).toEqual([]);
    } finally {
      w.close();
    }
  });
});
