import { existsSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkSystemSocket, unlinkSystemSocket } from './docker-sock-link.js';

describe('the optional /var/run/docker.sock link', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-link-'));
  const ours = path.join(dir, 'berth.sock');

  it('is created, kept, and removed only when it is ours', () => {
    const link = path.join(dir, 'docker.sock');
    expect(linkSystemSocket(ours, link)).toBe('created');
    expect(readlinkSync(link)).toBe(ours);
    expect(linkSystemSocket(ours, link)).toBe('kept');
    expect(unlinkSystemSocket(ours, link)).toBe(true);
    expect(existsSync(link)).toBe(false);
  });

  it("never replaces another product's socket", () => {
    const link = path.join(dir, 'other.sock');
    writeFileSync(link, '');
    expect(linkSystemSocket(ours, link)).toBe('taken-by-other');
    expect(unlinkSystemSocket(ours, link)).toBe(false);
    expect(existsSync(link)).toBe(true);
  });
});
