import { symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSmallFileSync } from './small-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'small-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
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
