// Finding 5 of issue 17: `docker load` read manifest.json, index.json and `*/json` members whole into memory (a
// 700 MB member took berthd to 1.5 GB). Metadata above its limit (4 MiB for manifests, 8 MiB for image configs) is
// now refused before it is read, with a clear error; layers still stream to disk.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startBerthd, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';

let berthd: RunningBerthd;
let tmp: string;
beforeAll(async () => {
  berthd = await startBerthd();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'load-limits-'));
}, 60_000);
afterAll(async () => {
  await berthd?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

/** A tar whose members are given as name → content (a Buffer) or a size to stream as JSON-ish filler. */
function archive(members: Array<[string, Buffer | number]>): AsyncIterable<Buffer> {
  const p = pack();
  void (async () => {
    for (const [name, content] of members) {
      if (Buffer.isBuffer(content)) {
        await new Promise<void>((resolve, reject) => p.entry({ name }, content, (err) => (err ? reject(err) : resolve())));
        continue;
      }
      const entry = p.entry({ name, size: content });
      const chunk = Buffer.alloc(1 << 20, 0x20);
      let left = content;
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!entry.write(piece)) await new Promise<void>((r) => entry.once('drain', () => r()));
      }
      entry.end(Buffer.alloc(0));
    }
    p.finalize();
  })().catch((err: Error) => p.destroy(err));
  return p as unknown as AsyncIterable<Buffer>;
}

/**
 * POSTs a streamed archive to /images/load on a raw connection (chunked; berthd answers and hangs up before the
 * whole body went out, which is the point) and resolves with the reply (the load streams its errors in-band).
 */
function postLoad(body: AsyncIterable<Buffer>): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path: berthd.socket });
    let reply = '';
    let open = true;
    socket.on('data', (d: Buffer) => (reply += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open = false;
      resolve(reply);
    });
    socket.write('POST /images/load?quiet=1 HTTP/1.1\r\nHost: berthd\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n');
    void (async () => {
      for await (const chunk of body) {
        if (!open) break;
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        if (!socket.write('\r\n')) {
          await new Promise((r) => {
            socket.once('drain', r);
            socket.once('close', r);
          });
        }
      }
      if (open) socket.write('0\r\n\r\n');
    })().catch(() => undefined);
  });
}

describe('docker load with oversized metadata', () => {
  it('refuses a manifest.json above 4 MiB, with a clear error in the CLI', async () => {
    const file = path.join(tmp, 'big-manifest.tar');
    const chunks: Buffer[] = [];
    for await (const c of archive([['manifest.json', 5 << 20]])) chunks.push(c);
    await writeFile(file, Buffer.concat(chunks));
    const r = await docker(['load', '-i', file], { host: berthd.dockerHost });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('invalid archive: manifest.json is 5242880 bytes, more than the 4 MiB allowed for it');
  });

  it('refuses a 200 MB index.json without reading it into memory', async () => {
    const before = await rssKiB(berthd.pid);
    const reply = await postLoad(archive([['oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')], ['index.json', 200 << 20]]));
    expect(reply).toContain('invalid archive: index.json is 209715200 bytes, more than the 4 MiB allowed for it');
    // Well below the member's size: the old reader buffered all of it (and a copy while joining).
    expect(await rssKiB(berthd.pid)).toBeLessThan(before + 64 * 1024);
  });

  it('refuses an image config above 8 MiB', async () => {
    const config = Buffer.alloc(9 << 20, 0x20);
    config.write('{"rootfs":{"type":"layers","diff_ids":[]}}');
    const reply = await postLoad(archive([
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: 'cfg.json', RepoTags: ['big/config:latest'], Layers: [] }]))],
      ['cfg.json', config],
    ]));
    expect(reply).toMatch(/invalid archive: image config sha256:[0-9a-f]{64} is 9437184 bytes, more than the 8 MiB allowed for it/);
    const images = await docker(['images', '-q', 'big/config'], { host: berthd.dockerHost });
    expect(images.stdout.trim()).toBe('');
  });
});
