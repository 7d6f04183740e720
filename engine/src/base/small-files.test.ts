import { lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSmallFileSync, writeNewFile } from './small-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'small-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeNewFile', () => {
  it('writes the bytes with the exact mode (set-id bits and bits the umask clears too) and the time given', async () => {
    const file = path.join(dir, 'f');
    const old = process.umask(0o077);
    try {
      await writeNewFile(file, Buffer.from('hello'), { mode: 0o4755, mtimeMs: 1_600_000_000_123 });
    } finally {
      process.umask(old);
    }
    const st = lstatSync(file);
    expect(readFileSync(file, 'utf8')).toBe('hello');
    expect(st.mode & 0o7777).toBe(0o4755);
    expect(Math.abs(st.mtimeMs - 1_600_000_000_123)).toBeLessThan(1);
  });

  it('fails on a name that exists, and never writes through a symlink', async () => {
    const target = path.join(dir, 'target');
    writeFileSync(target, 'keep');
    symlinkSync(target, path.join(dir, 'link'));
    await expect(writeNewFile(target, Buffer.from('x'), { mode: 0o644 })).rejects.toThrow(/EEXIST/);
    await expect(writeNewFile(path.join(dir, 'link'), Buffer.from('x'), { mode: 0o644 })).rejects.toThrow(/EEXIST/);
    expect(readFileSync(target, 'utf8')).toBe('keep');
  });
});

describe('readSmallFileSync', () => {
  it('reads a file of the size its lstat gave', () => {
    const file = path.join(dir, 'f');
    writeFileSync(file, 'content');
    expect(readSmallFileSync(file, 7).toString()).toBe('content');
  });

  it('fails when the file is not that size any more (grew or shrank since the lstat)', () => {
    const file = path.join(dir, 'f');
    writeFileSync(file, 'content');
    expect(() => readSmallFileSync(file, 5)).toThrow(/changed while it was read/);
    expect(() => readSmallFileSync(file, 9)).toThrow(/changed while it was read/);
  });

  it('does not follow a symlink', () => {
    writeFileSync(path.join(dir, 'target'), 'x');
    symlinkSync(path.join(dir, 'target'), path.join(dir, 'link'));
    expect(() => readSmallFileSync(path.join(dir, 'link'), 1)).toThrow(/ELOOP/);
  });
});
