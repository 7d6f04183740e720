// The same Dockerfile built through the same buildx against berthd and against the dockerd 20.10 peer (its embedded
// BuildKit): the images must agree on their config, their history as `docker history` shows it, and their layers
// (the same files, modes, owners, link targets and contents). Times and IDs differ by nature and are left out.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, findDockerd, pushTestImages, startBerthd, startDockerd, startRegistry, type RunningBerthd, type RunningDockerd, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { writeContext } from '../build/build-context.js';
import { buildxDocker } from './clients.js';

let noPeer: string | undefined;
try {
  findDockerd();
} catch (err) {
  noPeer = (err as Error).message;
}
if (noPeer) console.warn(`skipping the dockerd parity test: no dockerd peer (${noPeer})`);

interface TarEntry {
  name: string;
  type: string;
  mode: string;
  owner: string;
  size: number;
  linkname: string;
  /** sha256 of a regular file's bytes. */
  content: string;
}

async function tarEntries(tar: Buffer): Promise<Map<string, Buffer | TarEntry[]>> {
  const out = new Map<string, Buffer | TarEntry[]>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        out.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([tar]).pipe(ex);
  await done;
  return out;
}

async function layerListing(blob: Buffer): Promise<TarEntry[]> {
  // A saved layer may be stored compressed (as pulled); the listing is of its contents.
  const layer = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
  const entries: TarEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const hash = createHash('sha256');
      stream.on('data', (c: unknown) => hash.update(c as Buffer));
      stream.on('end', () => {
        entries.push({
          name: h.name.replace(/\/$/, ''),
          type: h.type ?? 'file',
          // Go's tar writer also puts the file type's bits in the mode field (040755); the type is compared apart.
          mode: ((h.mode ?? 0) & 0o7777).toString(8),
          owner: `${h.uid}:${h.gid}`,
          size: h.type === 'file' ? (h.size ?? 0) : 0,
          linkname: h.linkname ?? '',
          content: h.type === 'file' ? hash.digest('hex') : '',
        });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([layer]).pipe(ex);
  await done;
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface ImageFacts {
  config: Record<string, unknown>;
  comment: string;
  history: string[];
  layers: TarEntry[][];
}

describe.skipIf(!!noPeer)(`an image built by berthd's BuildKit matches the one dockerd's BuildKit builds${noPeer ? ` (skipped: ${noPeer})` : ''}`, () => {
  let registry: TestRegistry;
  let berthd: RunningBerthd;
  let dockerd: RunningDockerd;
  let work: string;
  let base = '';

  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestImages(registry);
    base = `${registry.host}/berth-test/busybox:latest`;
    [berthd, dockerd] = await Promise.all([startBerthd({ insecureRegistries: [registry.host] }), startDockerd()]);
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-bk-parity-'));
  }, 180_000);
  afterAll(async () => {
    await berthd?.stop();
    await dockerd?.stop();
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function buildAndRead(host: string, ctx: string): Promise<ImageFacts> {
    const r = await buildxDocker(host, ['build', '--progress=plain', '--build-arg', `BASE=${base}`, '--label', 'org.example.cli=yes', '-t', 'parity:1', ctx], { timeoutMs: 180_000 });
    if (r.code !== 0) throw new Error(`build against ${host} exited ${r.code}:\n${r.stderr}`);
    const inspect = await docker(['image', 'inspect', '-f', '{{json .Config}}', 'parity:1'], { host });
    const config = JSON.parse(inspect.stdout) as Record<string, unknown>;
    const comment = (await docker(['image', 'inspect', '-f', '{{.Comment}}', 'parity:1'], { host })).stdout.trim();
    const hist = await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}} | {{.Comment}}', 'parity:1'], { host });
    const file = path.join(work, `saved-${host.replace(/\W/g, '_')}.tar`);
    const saved = await docker(['save', '-o', file, 'parity:1'], { host });
    if (saved.code !== 0) throw new Error(saved.stderr);
    const files = await tarEntries(await readFile(file));
    const manifest = JSON.parse(String(files.get('manifest.json'))) as Array<{ Layers: string[] }>;
    const layers = await Promise.all(manifest[0]!.Layers.map((l) => layerListing(files.get(l) as Buffer)));
    return { config, comment, history: hist.stdout.trim().split('\n').reverse(), layers };
  }

  it('config, history and layer contents agree', async () => {
    const ctx = await writeContext(work, 'parity', {
      Dockerfile: [
        'ARG BASE',
        'FROM $BASE',
        'ARG FLAVOUR=plain',
        'ARG UNSET',
        'LABEL org.example.a="one" org.example.b=two',
        'ENV APP_HOME=/srv/app GREETING="hello world"',
        'WORKDIR $APP_HOME',
        'WORKDIR /tmp',
        'WORKDIR $APP_HOME',
        'COPY app/ ./',
        'COPY --chown=1000:1000 conf.txt /etc/app/conf.txt',
        'RUN mkdir -p bin && printf "#!/bin/sh\\necho hi\\n" > bin/hi && chmod 755 bin/hi && ln -s bin/hi hi-link && ln bin/hi hi-hard && chmod 640 /etc/app/conf.txt',
        'ENV FLAVOUR=spicy',
        'RUN echo "$FLAVOUR" > flavour.txt',
        'USER 1000:1000',
        'EXPOSE 8080/tcp 53/udp',
        'EXPOSE 9000',
        'VOLUME /data',
        'STOPSIGNAL SIGTERM',
        'SHELL ["/bin/sh", "-c"]',
        'ONBUILD RUN echo child',
        'ENTRYPOINT ["/bin/sh", "-c"]',
        'CMD ["echo hello"]',
        '',
      ].join('\n'),
      'app/index.txt': 'index\n',
      'app/sub/deep.txt': 'deep\n',
      'conf.txt': 'conf\n',
    });
    const [ours, theirs] = [await buildAndRead(berthd.dockerHost, ctx), await buildAndRead(dockerd.dockerHost, ctx)];
    expect(ours.config).toEqual(theirs.config);
    expect(ours.comment).toBe(theirs.comment);
    // dockerd 20.10 embeds BuildKit 0.8, which did not yet write COPY's --chown/--chmod into the history (0.11 and
    // later do, as berthd does); everything else is word for word, `--label` included (no entry of its own).
    const peerWords = (h: string): string => (/^(COPY|ADD) /.test(h) ? h.replace(/ --(chown|chmod)=\S+/g, '') : h);
    expect(ours.history.map(peerWords)).toEqual(theirs.history);
    expect(ours.history).toContain('COPY --chown=1000:1000 conf.txt /etc/app/conf.txt # buildkit | buildkit.dockerfile.v0');
    expect(ours.layers.length).toBe(theirs.layers.length);
    ours.layers.forEach((layer, i) => expect({ layer: i, entries: layer }).toEqual({ layer: i, entries: theirs.layers[i] }));
  }, 400_000);
});
