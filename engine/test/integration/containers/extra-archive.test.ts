import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
let work: string;
beforeAll(async () => {
  rig = await startContainerRig();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-cp-'));
});
afterAll(async () => {
  const ids = (await rig?.ok(['ps', '-aq']))?.split('\n').filter(Boolean) ?? [];
  if (ids.length > 0) await rig.docker(['rm', '-f', ...ids]);
  await rig?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs a container that prepares files and then idles; resolves once the files are there (cp succeeds). */
async function runPrepared(name: string, script: string, flags: string[] = [], ready = '/tmp/.ready'): Promise<void> {
  await rig.ok(['run', '-d', '--name', name, ...flags, rig.busybox, 'sh', '-c', `${script}; touch ${ready}; sleep 600`]);
  for (let i = 0; i < 100; i++) {
    if ((await rig.docker(['cp', `${name}:${ready}`, path.join(work, `${name}.ready`)])).code === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} never became ready`);
}

/** The output of a fresh container that runs `script` with the given flags (volumes, binds). */
async function runOutput(script: string, flags: string[] = []): Promise<string> {
  return rig.ok(['run', '--rm', ...flags, rig.busybox, 'sh', '-c', script]);
}

function putArchive(container: string, dir: string, tar: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: rig.berthd.socket, method: 'PUT', path: `/containers/${container}/archive?path=${encodeURIComponent(dir)}`, headers: { 'Content-Type': 'application/x-tar' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(tar);
  });
}

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    if (e.type === 'file' || e.type === undefined) p.entry({ name: e.name, mode: 0o644 }, e.body ?? 'x');
    else p.entry({ name: e.name, type: e.type, mode: 0o755, linkname: e.linkname ?? '' });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('docker cp', () => {
  it('copies a file and a directory out of a running container', async () => {
    await runPrepared('src', 'mkdir -p /tmp/d/sub && echo one > /tmp/d/a.txt && echo two > /tmp/d/sub/b.txt && ln -s a.txt /tmp/d/link');
    await rig.ok(['cp', 'src:/tmp/d/a.txt', path.join(work, 'a.txt')]);
    expect(await readFile(path.join(work, 'a.txt'), 'utf8')).toBe('one\n');
    await rig.ok(['cp', 'src:/tmp/d', path.join(work, 'd')]);
    expect((await readdir(path.join(work, 'd'))).sort()).toEqual(['a.txt', 'link', 'sub']);
    expect(await readFile(path.join(work, 'd', 'sub', 'b.txt'), 'utf8')).toBe('two\n');
    // -L follows the symlink to the file it names.
    await rig.ok(['cp', '-L', 'src:/tmp/d/link', path.join(work, 'followed')]);
    expect(await readFile(path.join(work, 'followed'), 'utf8')).toBe('one\n');
    // The container is frozen only while a copy runs.
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}}', 'src'])).toBe('running');
    expect(await rig.ok(['pause', 'src'])).toBe('src');
    await rig.ok(['cp', 'src:/tmp/d/a.txt', path.join(work, 'while-paused.txt')]);
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}}', 'src'])).toBe('paused');
    await rig.ok(['unpause', 'src']);
  });

  it('copies a file and a directory into a container that never ran, and the container sees them', async () => {
    await rig.ok(['create', '--name', 'fresh', rig.busybox, 'sh', '-c', 'cat /tmp/in.txt /tmp/indir/nested/deep.txt']);
    await writeFile(path.join(work, 'in.txt'), 'copied in\n');
    await mkdir(path.join(work, 'indir', 'nested'), { recursive: true });
    await writeFile(path.join(work, 'indir', 'nested', 'deep.txt'), 'deep\n');
    await rig.ok(['cp', path.join(work, 'in.txt'), 'fresh:/tmp/in.txt']);
    await rig.ok(['cp', path.join(work, 'indir'), 'fresh:/tmp/indir']);
    expect(await rig.ok(['start', '-a', 'fresh'])).toBe('copied in\ndeep');
  });

  it('copies out of a stopped container', async () => {
    await rig.ok(['run', '--name', 'stopped', rig.busybox, 'sh', '-c', 'echo left behind > /tmp/note']);
    await rig.ok(['cp', 'stopped:/tmp/note', path.join(work, 'note')]);
    expect(await readFile(path.join(work, 'note'), 'utf8')).toBe('left behind\n');
    const missing = await rig.docker(['cp', 'stopped:/nope', path.join(work, 'nope')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Could not find the file /nope in container stopped');
  });

  it('goes through volumes and binds mounted in the container', async () => {
    const bind = path.join(work, 'bind');
    await mkdir(bind);
    await writeFile(path.join(bind, 'from-host.txt'), 'host side\n');
    await runPrepared('mounted', 'echo in volume > /vol/v.txt', ['-v', 'cpvol:/vol', '-v', `${bind}:/bind`]);
    await writeFile(path.join(work, 'to-bind.txt'), 'via bind\n');
    await rig.ok(['cp', path.join(work, 'to-bind.txt'), 'mounted:/bind/to-bind.txt']);
    expect(await readFile(path.join(bind, 'to-bind.txt'), 'utf8')).toBe('via bind\n');
    await rig.ok(['cp', 'mounted:/bind/from-host.txt', path.join(work, 'from-host.txt')]);
    expect(await readFile(path.join(work, 'from-host.txt'), 'utf8')).toBe('host side\n');
    await rig.ok(['cp', 'mounted:/vol/v.txt', path.join(work, 'v.txt')]);
    expect(await readFile(path.join(work, 'v.txt'), 'utf8')).toBe('in volume\n');
    await rig.ok(['cp', path.join(work, 'to-bind.txt'), 'mounted:/vol/added.txt']);
    expect(await runOutput('cat /v/added.txt', ['-v', 'cpvol:/v'])).toBe('via bind');
  });

  it('refuses to write into a read-only rootfs or a read-only volume', async () => {
    await runPrepared('readonly', 'true', ['--read-only', '--tmpfs', '/tmp', '-v', 'rovol:/ro:ro', '-v', 'rwvol:/rw'], '/rw/.ready');
    await writeFile(path.join(work, 'x.txt'), 'x\n');
    const rootfs = await rig.docker(['cp', path.join(work, 'x.txt'), 'readonly:/home/']);
    expect(rootfs.stderr).toContain('container rootfs is marked read-only');
    const rovol = await rig.docker(['cp', path.join(work, 'x.txt'), 'readonly:/ro/']);
    expect(rovol.stderr).toContain('mounted volume is marked read-only');
    await rig.ok(['cp', path.join(work, 'x.txt'), 'readonly:/rw/']);
  });

  it('copyUIDGID (cp -a) gives the files to the container user', async () => {
    await rig.ok(['create', '--name', 'owned', '--user', 'berth', rig.busybox, 'stat', '-c', '%u:%g', '/tmp/mine.txt']);
    await writeFile(path.join(work, 'mine.txt'), 'mine\n');
    await rig.ok(['cp', '-a', path.join(work, 'mine.txt'), 'owned:/tmp/mine.txt']);
    expect(await rig.ok(['start', '-a', 'owned'])).toBe('1000:1000');
  });

  it('HEAD reports the path stat header with Go file mode bits', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.request({ socketPath: rig.berthd.socket, method: 'HEAD', path: '/containers/src/archive?path=/tmp/d' }, resolve).on('error', reject).end();
    });
    expect(res.statusCode).toBe(200);
    const stat = JSON.parse(Buffer.from(res.headers['x-docker-container-path-stat'] as string, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(stat).toMatchObject({ name: 'd', mode: 2 ** 31 + 0o755, linkTarget: '' });
    expect(stat.mtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });
});

describe('PUT /archive with a hostile tar', () => {
  const tag = randomBytes(4).toString('hex');
  const hostDir = `/tmp/berth-escape-${tag}`;

  it('refuses entries and links that climb out of the extraction point, writing nothing', async () => {
    await runPrepared('target', 'ln -s / /tmp/rootlink');
    for (const entries of [
      [{ name: `../../../../../../tmp/escape-${tag}` }],
      [{ name: 'ok-first' }, { name: 'x/../../../../../../../tmp/escape2-' + tag }],
      [{ name: 'up', type: 'symlink', linkname: '../../../../../../../tmp' }],
      [{ name: 'hl', type: 'link', linkname: '../../../../../../etc/passwd' }],
    ] as Entry[][]) {
      const r = await putArchive('target', '/tmp', await tarOf(entries));
      expect(r.status).toBe(400);
    }
    expect(existsSync(`/tmp/escape-${tag}`)).toBe(false);
    expect(existsSync(`/tmp/escape2-${tag}`)).toBe(false);
  });

  it('resolves symlinks, from the archive or already in the container, inside the container', async () => {
    await mkdir(hostDir);
    try {
      // An absolute link is legal in an archive: it means the container's path, so the file lands in the container.
      const viaOwnLink = await putArchive('target', '/tmp', await tarOf([
        { name: 'esc', type: 'symlink', linkname: hostDir },
        { name: 'esc/owned', body: 'nope' },
        { name: `/abs-${tag}`, body: 'absolute' },
      ]));
      expect(viaOwnLink.status).toBe(200);
      // The container's /tmp/rootlink -> / must not become the host's /: this lands beside `owned` in the container.
      const viaContainerLink = await putArchive('target', `/tmp/rootlink${hostDir}`, await tarOf([{ name: 'pwned', body: 'nope' }]));
      expect(viaContainerLink.status).toBe(200);
      const viaRootLink = await putArchive('target', '/tmp/rootlink/tmp', await tarOf([{ name: `through-${tag}`, body: 'inside' }]));
      expect(viaRootLink.status).toBe(200);
      expect(await readdir(hostDir)).toEqual([]);
      expect(existsSync(`/abs-${tag}`)).toBe(false);
      expect(existsSync(`/tmp/through-${tag}`)).toBe(false);
      await rig.ok(['cp', `target:${hostDir}/owned`, path.join(work, 'owned')]);
      expect(await readFile(path.join(work, 'owned'), 'utf8')).toBe('nope');
      await rig.ok(['cp', `target:/tmp/abs-${tag}`, path.join(work, 'abs')]);
      await rig.ok(['cp', `target:/tmp/through-${tag}`, path.join(work, 'through')]);
      expect(await readFile(path.join(work, 'through'), 'utf8')).toBe('inside');
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });

  it('refuses a destination that is not a directory', async () => {
    const r = await putArchive('target', '/tmp/.ready', await tarOf([{ name: 'f' }]));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ message: 'extraction point is not a directory' });
  });
});
