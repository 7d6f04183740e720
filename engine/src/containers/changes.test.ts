import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffUpperDir } from './changes.js';

let dir: string;
let lower: string;
let upper: string;
const OLD = new Date('2020-01-01T00:00:00Z');

async function put(root: string, rel: string, body = 'x'): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), body);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'changes-'));
  lower = path.join(dir, 'lower');
  upper = path.join(dir, 'upper');
  await put(lower, 'etc/passwd', 'root');
  await put(lower, 'hello.txt');
  await put(lower, 'home/old');
  await mkdir(path.join(upper));
  for (const d of ['etc', 'home', '']) await utimes(path.join(lower, d), OLD, OLD);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('diffUpperDir', () => {
  it('reports whiteouts and opaque directories as deletions, image paths as modified, the rest as added', async () => {
    await put(upper, 'etc/passwd', 'root\nme');
    await put(upper, 'newfile');
    execFileSync('mknod', [path.join(upper, 'hello.txt'), 'c', '0', '0']);
    await put(upper, 'home/new');
    execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(upper, 'home')]);
    expect(await diffUpperDir(upper, [lower])).toEqual([
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/passwd', Kind: 0 },
      { Path: '/hello.txt', Kind: 2 },
      { Path: '/home', Kind: 2 },
      { Path: '/home/new', Kind: 1 },
      { Path: '/newfile', Kind: 1 },
    ]);
  });

  it('leaves out mount points the runtime made and the directories copied up only for them', async () => {
    await put(upper, 'etc/hosts', '');
    await mkdir(path.join(upper, 'proc'));
    expect(await diffUpperDir(upper, [lower])).toEqual([]);
  });

  it('skips an image directory whose size, mode and mtime are unchanged', async () => {
    await mkdir(path.join(upper, 'home'));
    await utimes(path.join(upper, 'home'), OLD, OLD);
    expect(await diffUpperDir(upper, [lower])).toEqual([]);
  });
});
