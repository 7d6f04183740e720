import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from './build-context.js';

/** COPY/ADD flags the classic builder honours (--exclude, --parents, ADD --checksum) or refuses by name. */
let rig: ContainerRig;
let work: string;
let server: http.Server;
let base = '';
const PAYLOAD = 'remote payload\n';
beforeAll(async () => {
  rig = await startContainerRig();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-build-flags-'));
  server = http.createServer((req, res) => {
    if (req.url === '/files/payload.txt') res.end(PAYLOAD);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rig?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const context = (name: string, files: Record<string, string>): Promise<string> => writeContext(work, name, files);

async function filesIn(image: string, dir: string): Promise<string[]> {
  return (await rig.ok(['run', '--rm', image, 'find', dir, '-type', 'f'])).split('\n').sort();
}

describe('COPY/ADD flags with the real docker CLI (classic builder)', () => {
  it('COPY --exclude leaves out what its patterns match, in the sources and inside copied directories', async () => {
    const dir = await context('exclude', {
      Dockerfile: [
        `FROM ${rig.busybox}`,
        'COPY --exclude=*.txt --exclude=*.md hom* /mydir/',
        'COPY --exclude=*.bak --exclude=cache/** app /app/',
        'ADD --exclude=*.log logs/ /logs/',
        '',
      ].join('\n'),
      'home.txt': '', 'home.md': '', 'homer.sh': 'x', 'homing.bin': 'x', 'other.sh': 'x',
      'app/main.sh': 'x', 'app/old.bak': 'x', 'app/sub/keep.bak.txt': 'x', 'app/sub/deep.bak': 'x', 'app/cache/a/b': 'x',
      'logs/a.log': 'x', 'logs/readme': 'x',
    });
    await rig.ok(['build', '-q', '-t', 'berth-test/exclude', dir]);
    expect(await filesIn('berth-test/exclude', '/mydir')).toEqual(['/mydir/homer.sh', '/mydir/homing.bin']);
    // `*.bak` matches names at the top of the copied directory only, as a .dockerignore line does.
    expect(await filesIn('berth-test/exclude', '/app')).toEqual(['/app/main.sh', '/app/sub/deep.bak', '/app/sub/keep.bak.txt']);
    expect(await filesIn('berth-test/exclude', '/logs')).toEqual(['/logs/readme']);

    // A changed pattern is another step, not a cache hit.
    await writeFile(path.join(dir, 'Dockerfile'), `FROM ${rig.busybox}\nCOPY --exclude=*.sh hom* /mydir/\n`);
    const out = await rig.ok(['build', '-t', 'berth-test/exclude', dir]);
    expect(out).not.toMatch(/Using cache/);
    expect(await filesIn('berth-test/exclude', '/mydir')).toEqual(['/mydir/home.md', '/mydir/home.txt', '/mydir/homing.bin']);
  });

  it('COPY --parents keeps parent directories, after a ./ marker only, with ** at any depth, and from a stage', async () => {
    const dir = await context('parents', {
      Dockerfile: [
        `FROM ${rig.busybox} AS build`,
        'RUN mkdir -p /out/bin /out/lib && echo b > /out/bin/tool && echo l > /out/lib/libx',
        `FROM ${rig.busybox}`,
        'COPY ./x/a.txt ./y/a.txt /no_parents/',
        'COPY --parents ./x/a.txt ./y/a.txt /parents/',
        'COPY --parents ./x/./y/*.txt /marker/',
        'COPY --parents ./src/**/*.txt /deep/',
        'COPY --parents --exclude=lib --from=build /out/./bin /out/./lib /staged/',
        '',
      ].join('\n'),
      'x/a.txt': 'xa', 'y/a.txt': 'ya', 'x/y/a.txt': 'xya', 'x/y/b.txt': 'xyb',
      'src/a.txt': '', 'src/x/b.txt': '', 'src/x/y/c.txt': '', 'src/x/y/skip.md': '',
    });
    await rig.ok(['build', '-q', '-t', 'berth-test/parents', dir]);
    const img = 'berth-test/parents';
    expect(await filesIn(img, '/no_parents')).toEqual(['/no_parents/a.txt']);
    expect(await filesIn(img, '/parents')).toEqual(['/parents/x/a.txt', '/parents/y/a.txt']);
    expect(await rig.ok(['run', '--rm', img, 'cat', '/parents/x/a.txt', '/parents/y/a.txt'])).toBe('xaya');
    expect(await filesIn(img, '/marker')).toEqual(['/marker/y/a.txt', '/marker/y/b.txt']);
    expect(await filesIn(img, '/deep')).toEqual(['/deep/src/a.txt', '/deep/src/x/b.txt', '/deep/src/x/y/c.txt']);
    expect(await filesIn(img, '/staged')).toEqual(['/staged/bin/tool']);
  });

  it('ADD --checksum verifies a URL source and fails with the digest it got; it refuses local sources', async () => {
    const good = `sha256:${createHash('sha256').update(PAYLOAD).digest('hex')}`;
    const bad = `sha256:${'0'.repeat(64)}`;
    const url = `${base}/files/payload.txt`;
    const ok = await context('checksum-ok', { Dockerfile: `FROM ${rig.busybox}\nADD --checksum=${good} ${url} /dl/\n` });
    await rig.ok(['build', '-q', '-t', 'berth-test/checksum', ok]);
    expect(await rig.ok(['run', '--rm', 'berth-test/checksum', 'cat', '/dl/payload.txt'])).toBe(PAYLOAD.trim());

    const mismatch = await context('checksum-bad', { Dockerfile: `FROM ${rig.busybox}\nADD --checksum=${bad} ${url} /dl/\n` });
    const failed = await rig.docker(['build', '-t', 'berth-test/checksum-bad', mismatch]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`digest mismatch ${good}: ${bad}`);

    const local = await context('checksum-local', { Dockerfile: `FROM ${rig.busybox}\nADD --checksum=${good} f.txt /dl/\n`, 'f.txt': PAYLOAD });
    const refused = await rig.docker(['build', local]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("checksum can't be specified for non-HTTP(S) sources");

    const malformed = await context('checksum-format', { Dockerfile: `FROM ${rig.busybox}\nADD --checksum=md5:abc ${url} /dl/\n` });
    expect((await rig.docker(['build', malformed])).stderr).toContain('unsupported digest algorithm: md5:abc');
  });

  it('refuses flags it has no semantics for, naming them, before any step runs', async () => {
    const link = await context('link', { Dockerfile: `FROM ${rig.busybox}\nRUN echo ran\nCOPY --link f /f\n`, f: 'x' });
    const r = await rig.docker(['build', link]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('dockerfile parse error on line 3: the --link option requires BuildKit');
    expect(r.stdout).not.toContain('ran');
    const gitDir = await context('keep-git-dir', { Dockerfile: `FROM ${rig.busybox}\nADD --keep-git-dir=true f /f\n`, f: 'x' });
    expect((await rig.docker(['build', gitDir])).stderr).toContain('the --keep-git-dir option requires BuildKit');
  });
});
