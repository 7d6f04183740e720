// scripts/package's fetch-and-verify of Docker's static builds, against a local HTTP server serving archives made
// here in the shapes upstream publishes (a .tgz with docker/docker, a .zip with docker/docker.exe, bare plugin
// binaries behind a redirect as GitHub releases are). The real URLs are never contacted.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../testrig/paths.js';
import { checkPins } from './check-pins.js';
import { fetchStaticTools } from './static-tools.js';
import { checkManifest, planTarget, readStaticToolsManifest, type StaticToolsManifest } from './static-tools-manifest.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binary = (name: string) => Buffer.from(`#!/bin/sh\necho ${name}\n${'x'.repeat(20_000)}\n`);

async function tgz(files: Record<string, Buffer>): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'docker/', type: 'directory', mode: 0o755 });
  for (const [name, data] of Object.entries(files)) pack.entry({ name, mode: 0o755 }, data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function zip(files: Record<string, Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  z.addEmptyDirectory('docker/');
  for (const [name, data] of Object.entries(files)) z.addBuffer(data, name);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const files = {
  docker: binary('docker'),
  dockerd: binary('dockerd'),
  dockerExe: binary('docker.exe'),
  compose: binary('compose'),
  buildx: binary('buildx'),
};
let archives: { tgz: Buffer; zip: Buffer };
let server: http.Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  archives = {
    tgz: await tgz({ './docker/docker': files.docker, './docker/dockerd': files.dockerd }),
    zip: await zip({ 'docker/docker.exe': files.dockerExe, 'docker/dockerd.exe': files.dockerd }),
  };
  const routes: Record<string, Buffer> = {
    '/mac/docker-26.1.0.tgz': archives.tgz,
    '/win/docker-26.1.0.zip': archives.zip,
    '/objects/compose': files.compose,
    '/objects/buildx': files.buildx,
  };
  server = http.createServer((req, res) => {
    requests.push(req.url!);
    if (req.url!.startsWith('/releases/')) {
      // As GitHub: the release asset URL redirects to the storage host.
      res.writeHead(302, { location: `/objects/${path.posix.basename(req.url!)}` }).end();
    } else if (req.url === '/interrupted') {
      // Promises 1 MB, sends a little, then the connection drops.
      res.writeHead(200, { 'content-length': String(1 << 20) });
      res.write(Buffer.alloc(4096, 1), () => setTimeout(() => res.socket?.destroy(), 20));
    } else if (routes[req.url!]) {
      res.writeHead(200, { 'content-length': String(routes[req.url!]!.length) }).end(routes[req.url!]);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function manifest(over: { composeSha?: string; composeUrl?: string; unchecked?: boolean } = {}): StaticToolsManifest {
  const m = uncheckedManifest(over);
  if (!over.unchecked) for (const tool of Object.values(m.tools)) for (const b of Object.values(tool.builds)) b.checked = 'fixture';
  return m;
}

function uncheckedManifest(over: { composeSha?: string; composeUrl?: string }): StaticToolsManifest {
  return checkManifest({
    tools: {
      docker: {
        version: '26.1.0',
        dest: 'bin',
        builds: {
          'darwin-arm64': { url: `${base}/mac/docker-26.1.0.tgz`, sha256: sha256(archives.tgz), archive: 'tgz', member: 'docker/docker' },
          'win32-x64': { url: `${base}/win/docker-26.1.0.zip`, sha256: sha256(archives.zip), archive: 'zip', member: 'docker/docker.exe' },
        },
      },
      'docker-compose': {
        version: '2.29.6',
        dest: 'cli-plugins',
        builds: {
          'darwin-arm64': { url: over.composeUrl ?? `${base}/releases/compose`, sha256: over.composeSha ?? sha256(files.compose), archive: 'file' },
          'win32-x64': { url: `${base}/releases/compose`, sha256: sha256(files.compose), archive: 'file' },
        },
      },
      'docker-buildx': {
        version: '0.17.1',
        dest: 'cli-plugins',
        builds: {
          'darwin-arm64': { url: `${base}/releases/buildx`, sha256: sha256(files.buildx), archive: 'file' },
          'win32-x64': { url: `${base}/releases/buildx`, sha256: sha256(files.buildx), archive: 'file' },
        },
      },
    },
  });
}

/** Every file under `dir`, relative, for "nothing left behind". */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("fetching Docker's static builds for packaging", () => {
  let root: string;
  let outDir: string;
  let cacheDir: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-package-tools-'));
    outDir = path.join(root, 'package-tools');
    cacheDir = path.join(root, 'downloads');
    requests.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('right checksums: the binaries land in <target>/bin and <target>/cli-plugins, executable', async () => {
    const mac = await fetchStaticTools({ manifest: manifest(), target: 'darwin-arm64', outDir, cacheDir });
    expect(mac.dir).toBe(path.join(outDir, 'darwin-arm64'));
    expect(tree(mac.dir)).toEqual(['.berth-static-tools.json', 'bin', 'bin/docker', 'cli-plugins', 'cli-plugins/docker-buildx', 'cli-plugins/docker-compose']);
    expect(readFileSync(path.join(mac.dir, 'bin/docker'))).toEqual(files.docker);
    expect(readFileSync(path.join(mac.dir, 'cli-plugins/docker-compose'))).toEqual(files.compose);
    expect(readFileSync(path.join(mac.dir, 'cli-plugins/docker-buildx'))).toEqual(files.buildx);
    for (const f of ['bin/docker', 'cli-plugins/docker-compose', 'cli-plugins/docker-buildx']) {
      expect(statSync(path.join(mac.dir, f)).mode & 0o777).toBe(0o755);
    }
    expect(JSON.parse(readFileSync(path.join(mac.dir, '.berth-static-tools.json'), 'utf8'))).toMatchObject({
      target: 'darwin-arm64',
      tools: [{ name: 'docker', version: '26.1.0', sha256: sha256(archives.tgz), path: 'bin/docker' }, { name: 'docker-compose' }, { name: 'docker-buildx' }],
    });

    const win = await fetchStaticTools({ manifest: manifest(), target: 'win32-x64', outDir, cacheDir });
    expect(tree(win.dir)).toEqual(['.berth-static-tools.json', 'bin', 'bin/docker.exe', 'cli-plugins', 'cli-plugins/docker-buildx.exe', 'cli-plugins/docker-compose.exe']);
    expect(readFileSync(path.join(win.dir, 'bin/docker.exe'))).toEqual(files.dockerExe);
    // No staging dirs or partial files beside the results.
    expect(readdirSync(outDir).sort()).toEqual(['darwin-arm64', 'win32-x64']);
  });

  it('keeps verified downloads by digest and re-checks them instead of fetching again', async () => {
    await fetchStaticTools({ manifest: manifest(), target: 'darwin-arm64', outDir, cacheDir });
    expect(requests.filter((r) => !r.startsWith('/objects/'))).toEqual(['/mac/docker-26.1.0.tgz', '/releases/compose', '/releases/buildx']);
    requests.length = 0;
    await fetchStaticTools({ manifest: manifest(), target: 'darwin-arm64', outDir, cacheDir });
    expect(requests).toEqual([]);
    // A cached file that no longer matches its pin is fetched again, never used.
    const cached = readdirSync(cacheDir).find((f) => f.endsWith('-compose'))!;
    writeFileSync(path.join(cacheDir, cached), 'tampered');
    await fetchStaticTools({ manifest: manifest(), target: 'darwin-arm64', outDir, cacheDir });
    expect(requests).toEqual(['/releases/compose', '/objects/compose']);
    expect(readFileSync(path.join(outDir, 'darwin-arm64/cli-plugins/docker-compose'))).toEqual(files.compose);
  });

  it('wrong checksum: packaging fails saying which file and both digests, and nothing is left behind', async () => {
    const wrong = 'f'.repeat(64);
    const err = await fetchStaticTools({ manifest: manifest({ composeSha: wrong }), target: 'darwin-arm64', outDir, cacheDir }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toBe(
      `sha256 mismatch for ${base}/releases/compose: the manifest pins ${wrong}, the download (${files.compose.length} bytes) is ${sha256(files.compose)}. ` +
        'Nothing was kept. If upstream really changed the file, check it and update scripts/deps/docker-static-tools.json.',
    );
    expect(tree(outDir)).toEqual([]);
    // The docker archive fetched before it was verified and may stay cached; nothing of compose's does.
    expect(tree(cacheDir).filter((f) => f.includes('compose'))).toEqual([]);
    expect(tree(cacheDir).every((f) => !f.endsWith('.partial'))).toBe(true);
  });

  it('a failed run leaves an earlier good result as it was', async () => {
    await fetchStaticTools({ manifest: manifest(), target: 'darwin-arm64', outDir, cacheDir });
    const before = tree(outDir);
    await expect(fetchStaticTools({ manifest: manifest({ composeSha: '0'.repeat(64) }), target: 'darwin-arm64', outDir, cacheDir: path.join(root, 'other-cache') }))
      .rejects.toThrow(/sha256 mismatch/);
    expect(tree(outDir)).toEqual(before);
    expect(readFileSync(path.join(outDir, 'darwin-arm64/cli-plugins/docker-compose'))).toEqual(files.compose);
  });

  it('download interrupted: fails with the reason and keeps no partial file', async () => {
    await expect(fetchStaticTools({ manifest: manifest({ composeUrl: `${base}/interrupted` }), target: 'darwin-arm64', outDir, cacheDir }))
      .rejects.toThrow(new RegExp(`^the download of ${base}/interrupted was interrupted after \\d+ bytes .*; nothing was kept$`));
    expect(tree(outDir)).toEqual([]);
    expect(tree(cacheDir).filter((f) => f.includes('interrupted') || f.endsWith('.partial'))).toEqual([]);
  });

  it('a URL that answers 404 fails with the status', async () => {
    await expect(fetchStaticTools({ manifest: manifest({ composeUrl: `${base}/nope` }), target: 'darwin-arm64', outDir, cacheDir }))
      .rejects.toThrow(`cannot download ${base}/nope: the server answered 404 Not Found`);
    expect(tree(outDir)).toEqual([]);
  });

  it('the packaging command exits non-zero with the message, and with nothing left behind', async () => {
    const file = path.join(root, 'manifest.json');
    writeFileSync(file, JSON.stringify(manifest({ composeSha: 'a'.repeat(64) })));
    // Not spawnSync: the fixture server answers from this process's event loop.
    const packageTools = (target: string) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/dist/package/cli.js'), 'tools', target, '--manifest', file, '--out', outDir, '--cache', cacheDir]);
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    const res = await packageTools('darwin-arm64');
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`[berth package] packaging failed: sha256 mismatch for ${base}/releases/compose: the manifest pins ${'a'.repeat(64)}`);
    expect(tree(outDir)).toEqual([]);
    const ok = await packageTools('win32-x64');
    expect(ok.status, ok.stderr).toBe(0);
    expect(tree(path.join(outDir, 'win32-x64'))).toContain('bin/docker.exe');
  });
});

describe('pins never checked against the real download', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-package-pins-'));
    requests.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('packaging refuses them before fetching anything, naming each and the step that checks them', async () => {
    const outDir = path.join(root, 'out');
    const m = manifest();
    delete m.tools['docker-buildx']!.builds['darwin-arm64']!.checked;
    // A public record of the same checksum says the pin is not invented; it is not a download, so it changes nothing.
    m.tools['docker-buildx']!.builds['darwin-arm64']!.corroboratedBy = [`docker-library/docker versions.json@${'a'.repeat(40)}`];
    const err = await fetchStaticTools({ manifest: m, target: 'darwin-arm64', outDir }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(
      new RegExp(`^refusing to package darwin-arm64: the sha256 pins of docker-buildx 0\\.17\\.1 \\(${base}/releases/buildx\\) were never checked against the real downloads`),
    );
    expect(err?.message).toContain('run `node scripts/dist/package/cli.js check-pins`');
    expect(requests).toEqual([]);
    expect(tree(outDir)).toEqual([]);
  });

  it("the repository's own pins are refused until a maintainer has checked them", async () => {
    const m = readStaticToolsManifest(path.join(repoRoot, 'scripts/deps/docker-static-tools.json'));
    for (const target of ['darwin-x64', 'darwin-arm64', 'win32-x64']) {
      const unchecked = planTarget(m, target).filter((t) => !t.checked);
      if (unchecked.length === 0) continue;
      // The refusal comes before any download: the real URLs are never contacted here.
      await expect(fetchStaticTools({ manifest: m, target, outDir: path.join(root, 'out') })).rejects.toThrow(
        `refusing to package ${target}: the sha256 pins of ${unchecked.map((t) => `${t.name} ${t.version} (${t.url})`).join(', ')} were never checked`,
      );
    }
  });

  it('check-pins records "checked" for the pins whose download matches, reports the others, and keeps every other key', async () => {
    const file = path.join(root, 'manifest.json');
    const raw = { _comment: ['kept as it is'], ...manifest({ unchecked: true, composeSha: 'b'.repeat(64) }) };
    raw.tools.docker!.builds['darwin-arm64']!.corroboratedBy = [`ScoopInstaller/Main bucket/docker.json@${'c'.repeat(40)}`];
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    const results = await checkPins(file, { note: 'checked in a test' });
    expect(results.filter((r) => r.problem).map((r) => `${r.name} ${r.target}`)).toEqual(['docker-compose darwin-arm64']);
    expect(results.find((r) => r.problem)?.problem).toContain(`the manifest pins ${'b'.repeat(64)}, the download (${files.compose.length} bytes) is ${sha256(files.compose)}`);
    const after = JSON.parse(readFileSync(file, 'utf8')) as typeof raw;
    expect(after._comment).toEqual(['kept as it is']);
    expect(after.tools['docker-compose']!.builds['darwin-arm64']!.checked).toBeUndefined();
    expect(after.tools['docker-compose']!.builds['win32-x64']!.checked).toBe('checked in a test');
    expect(after.tools.docker!.builds['darwin-arm64']).toEqual({ ...raw.tools.docker!.builds['darwin-arm64'], checked: 'checked in a test' });
    expect(readdirSync(root)).toEqual(['manifest.json']);
    // Packaging now goes through for the target whose pins all matched, and still refuses the other.
    const outDir = path.join(root, 'out');
    const checked = readStaticToolsManifest(file);
    await expect(fetchStaticTools({ manifest: checked, target: 'win32-x64', outDir })).resolves.toMatchObject({ dir: path.join(outDir, 'win32-x64') });
    await expect(fetchStaticTools({ manifest: checked, target: 'darwin-arm64', outDir })).rejects.toThrow(/^refusing to package darwin-arm64: the sha256 pins of docker-compose 2\.29\.6/);
  });
});

describe('the pinned manifest', () => {
  it('pins docker, Compose and buildx for every macOS and Windows target the installers build', () => {
    const m = readStaticToolsManifest(path.join(repoRoot, 'scripts/deps/docker-static-tools.json'));
    for (const target of ['darwin-x64', 'darwin-arm64', 'win32-x64']) {
      expect(planTarget(m, target).map((t) => t.target)).toEqual(
        target.startsWith('win32')
          ? ['bin/docker.exe', 'cli-plugins/docker-compose.exe', 'cli-plugins/docker-buildx.exe']
          : ['bin/docker', 'cli-plugins/docker-compose', 'cli-plugins/docker-buildx'],
      );
    }
    for (const t of planTarget(m, 'darwin-arm64')) expect(new URL(t.url).protocol).toBe('https:');
  });

  it('names for every pin not yet checked the public records of its sha256', () => {
    const m = readStaticToolsManifest(path.join(repoRoot, 'scripts/deps/docker-static-tools.json'));
    const bare = Object.entries(m.tools).flatMap(([name, tool]) =>
      Object.entries(tool.builds).filter(([, b]) => !b.checked && !b.corroboratedBy?.length).map(([target]) => `${name} ${target}`),
    );
    expect(bare).toEqual([]);
  });

  it('refuses a hand edit that breaks a pin, naming where', () => {
    expect(() => checkManifest({ tools: { docker: { version: '1', dest: 'bin', builds: { 'darwin-arm64': { url: 'https://x/y.tgz', sha256: 'abc', archive: 'tgz', member: 'docker/docker' } } } } }))
      .toThrow('the manifest: docker.builds.darwin-arm64: sha256 must be 64 lower-case hex digits');
    expect(() => checkManifest({ tools: { docker: { version: '1', dest: 'bin', builds: { 'darwin-arm64': { url: 'https://x/y.tgz', sha256: 'a'.repeat(64), archive: 'tgz' } } } } }))
      .toThrow('a tgz build names its binary in "member"');
    const corroborated = (corroboratedBy: unknown) => () =>
      checkManifest({ tools: { docker: { version: '1', dest: 'bin', builds: { 'win32-x64': { url: 'https://x/y.exe', sha256: 'a'.repeat(64), archive: 'file', corroboratedBy } } } } });
    expect(corroborated([])).toThrow('the manifest: docker.builds.win32-x64: "corroboratedBy" is a non-empty list of "owner/repo path@commit"');
    expect(corroborated(['ScoopInstaller/Main bucket/docker.json@master'])).toThrow(
      'the manifest: docker.builds.win32-x64: "corroboratedBy" entry "ScoopInstaller/Main bucket/docker.json@master" is not "owner/repo path@<40-hex commit>"',
    );
    expect(corroborated([`ScoopInstaller/Main bucket/docker.json@${'d'.repeat(40)}`])).not.toThrow();
    expect(() => planTarget(manifest(), 'darwin-x64')).toThrow('the static tools manifest has no docker build for darwin-x64 (it has: darwin-arm64, win32-x64)');
  });

  it('an archive without the named binary fails the run', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-package-tools-'));
    try {
      const m = manifest();
      m.tools.docker!.builds['darwin-arm64']!.member = 'docker/nothing';
      await expect(fetchStaticTools({ manifest: m, target: 'darwin-arm64', outDir: path.join(root, 'out') })).rejects.toThrow(/has no file docker\/nothing$/);
      expect(tree(path.join(root, 'out'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
