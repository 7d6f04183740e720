import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSmallFiles } from './small-file-writer.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('writeSmallFiles (the writer thread)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each file with its bytes, exact mode and time, and answers its sha256, in order', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'berth-small-files-'));
    // Views into one larger buffer, as received packets are: only each view's bytes are written.
    const big = Buffer.from('xxhello worldyyz');
    const files = [
      { path: path.join(dir, 'a'), data: big.subarray(2, 13), mode: 0o644, mtimeMs: 1_600_000_000_000 },
      { path: path.join(dir, 'empty'), data: Buffer.alloc(0), mode: 0o600, mtimeMs: undefined },
      // Bits the umask would clear and set-id bits are applied as given.
      { path: path.join(dir, 'tool'), data: Buffer.from('#!/bin/sh\n'), mode: 0o4777, mtimeMs: 1_500_000_000_500 },
    ];
    const results = await writeSmallFiles(files);
    expect(results).toEqual(files.map((f) => ({ digest: sha(f.data) })));
    expect(readFileSync(files[0]!.path, 'utf8')).toBe('hello world');
    expect(lstatSync(files[0]!.path).mtimeMs).toBe(1_600_000_000_000);
    expect(lstatSync(files[1]!.path).size).toBe(0);
    expect(lstatSync(files[2]!.path).mode & 0o7777).toBe(0o4777);
    expect(lstatSync(files[2]!.path).mtimeMs).toBe(1_500_000_000_500);
  });

  it('never writes over an existing name or through a symlink: that file fails, the others are written', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'berth-small-files-'));
    writeFileSync(path.join(dir, 'outside'), 'untouched');
    writeFileSync(path.join(dir, 'exists'), 'old');
    symlinkSync(path.join(dir, 'outside'), path.join(dir, 'link'));
    const results = await writeSmallFiles([
      { path: path.join(dir, 'exists'), data: Buffer.from('new'), mode: 0o644, mtimeMs: undefined },
      { path: path.join(dir, 'link'), data: Buffer.from('new'), mode: 0o644, mtimeMs: undefined },
      { path: path.join(dir, 'fine'), data: Buffer.from('ok'), mode: 0o644, mtimeMs: undefined },
    ]);
    expect(results[0]).toMatchObject({ code: 'EEXIST' });
    expect(results[1]).toMatchObject({ code: 'EEXIST' });
    expect(results[2]).toEqual({ digest: sha(Buffer.from('ok')) });
    expect(readFileSync(path.join(dir, 'exists'), 'utf8')).toBe('old');
    expect(readFileSync(path.join(dir, 'outside'), 'utf8')).toBe('untouched');
  });
});
