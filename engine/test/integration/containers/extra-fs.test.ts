import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { extract, pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';

const execFileP = promisify(execFile);

let rig: ContainerRig;
let work: string;
beforeAll(async () => {
  rig = await startContainerRig();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-export-'));
  await rig.ok(['run', '--name', 'changed', rig.busybox, 'sh', '-c', 'echo x > /newfile; rm /hello.txt; echo y >> /etc/passwd; mkdir -p /tmp/newdir']);
  await rig.ok(['run', '--name', 'untouched', rig.busybox, 'true']);
});
afterAll(async () => {
  const ids = (await rig?.ok(['ps', '-aq']))?.split('\n').filter(Boolean) ?? [];
  if (ids.length > 0) await rig.docker(['rm', '-f', ...ids]);
  await rig?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function tarNames(stream: NodeJS.ReadableStream): Promise<Map<string, string>> {
  const ex = extract();
  const out = new Map<string, string>();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks).toString('utf8'));
  }
  return out;
}

describe('docker diff', () => {
  it('lists additions, deletions and modifications against the image', async () => {
    expect((await rig.ok(['diff', 'changed'])).split('\n')).toEqual([
      'C /etc',
      'C /etc/passwd',
      'D /hello.txt',
      'A /newfile',
      'C /tmp',
      'A /tmp/newdir',
    ]);
  });

  it('shows nothing for a container that changed nothing (runtime mount points are not changes)', async () => {
    expect(await rig.ok(['diff', 'untouched'])).toBe('');
  });
});

describe('docker export', () => {
  it('writes the whole root filesystem as a tar, with the container\'s changes', async () => {
    const file = path.join(work, 'changed.tar');
    await rig.ok(['export', '-o', file, 'changed']);
    const { stdout } = await execFileP('tar', ['tf', file], { maxBuffer: 64 << 20 });
    const names = stdout.split('\n');
    expect(names).toContain('bin/busybox');
    expect(names).toContain('newfile');
    expect(names).toContain('etc/passwd');
    expect(names).toContain('tmp/newdir/');
    expect(names).not.toContain('hello.txt');
    const { stdout: passwd } = await execFileP('tar', ['xOf', file, 'etc/passwd']);
    expect(passwd.endsWith('y\n')).toBe(true);
  });
});

describe('archive with dockerode', () => {
  it('putArchive then getArchive round-trips files', async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const container = client.getContainer('untouched');
    const p = pack();
    p.entry({ name: 'dropped/', type: 'directory', mode: 0o755 });
    p.entry({ name: 'dropped/file.txt', mode: 0o644 }, 'from dockerode\n');
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    await container.putArchive(Buffer.concat(chunks), { path: '/tmp' });
    const stream = await container.getArchive({ path: '/tmp/dropped' });
    const entries = await tarNames(stream);
    expect([...entries.keys()]).toEqual(['dropped/', 'dropped/file.txt']);
    expect(entries.get('dropped/file.txt')).toBe('from dockerode\n');
    const info = await container.infoArchive({ path: '/tmp/dropped/file.txt' });
    expect(info).toBeDefined();
  });
});
