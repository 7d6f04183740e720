/**
 * The build context: the request body (a tar, plain or gzip/bzip2/xz/zstd) or a `remote=` tarball URL, unpacked
 * into a private directory through the same never-escaping extractor as image layers. Also finds the Dockerfile
 * (a path inside the context) and reads `.dockerignore` (or `<Dockerfile>.dockerignore` next to it), whose
 * patterns COPY and ADD honour even when the client did not apply them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, pipeline } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { InvalidArgument } from '../base/errors.js';
import { decompressed } from '../snapshots/decompress.js';
import { unpackLayer } from '../snapshots/unpack.js';
import type { ContextDigests } from './context-digests.js';
import { IgnoreMatcher, readIgnoreFile } from './dockerignore.js';

export interface BuildContext {
  /** Where the context is unpacked. */
  dir: string;
  /** The Dockerfile path relative to the context, as given (`Dockerfile` by default). */
  dockerfileName: string;
  dockerfile: string;
  ignore: IgnoreMatcher;
  /**
   * Set for a context BuildKit's FileSync wrote (`ReceivedTree`): every entry new, owned by the engine's own user,
   * already filtered by the client, and never written to afterwards; with the digests of its files' contents.
   */
  received?: { digests: ContextDigests };
  cleanup(): Promise<void>;
}

export interface ContextRequest {
  body: Readable | undefined;
  remote: string;
  dockerfile: string;
  /** A directory of the engine's where contexts are unpacked. */
  workRoot: string;
}

const GIT_URL = /^(git:\/\/|git@|github\.com\/)|\.git(#.*)?$/;

/** A filter process for the compressions Node cannot undo itself. */
function through(cmd: string, args: string[], input: Readable): Readable {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  pipeline(input, child.stdin, () => undefined);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => (code === 0 ? out.end() : out.destroy(new InvalidArgument(`${cmd}: could not decompress the build context`))));
  child.on('error', (err) => out.destroy(err));
  return out;
}

/** Reads up to `n` bytes of a stream; returns them and the whole stream again (those bytes first). */
async function peek(source: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < n) {
    const r = await it.next();
    if (r.done) break;
    head = Buffer.concat([head, r.value as Buffer]);
  }
  const stream = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value as Buffer;
    })(),
    { objectMode: false },
  );
  return { head, stream };
}

/** The context uncompressed, with its first block for sniffing. */
async function contextTar(source: AsyncIterable<Buffer>): Promise<{ head: Buffer; tar: Readable }> {
  const raw = await peek(source, 6);
  let plain: Readable;
  if (raw.head.subarray(0, 3).toString('latin1') === 'BZh') plain = through('bzip2', ['-dc'], raw.stream);
  else if (raw.head.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) plain = through('xz', ['-dc'], raw.stream);
  else plain = await decompressed(raw.stream);
  const { head, stream } = await peek(plain, 512);
  return { head, tar: stream };
}

/**
 * The docker CLI's `-f -` context (its Dockerfile and .dockerignore appended by ReplaceFileTarWrapper) ends right
 * after the last file's bytes, with neither padding nor end-of-archive blocks; dockerd reads it anyway. Zero blocks
 * after a complete archive are ignored, and they complete a truncated one.
 */
function withTrailer(tar: Readable): Readable {
  return Readable.from(
    (async function* () {
      let total = 0;
      for await (const c of tar) {
        total += (c as Buffer).length;
        yield c as Buffer;
      }
      // Up to the next block boundary, then the two zero blocks (tar-stream wants whole blocks).
      yield Buffer.alloc(((512 - (total % 512)) % 512) + 1024);
    })(),
    { objectMode: false },
  );
}

function looksLikeTar(head: Buffer): boolean {
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

async function fetchRemote(url: string): Promise<Readable> {
  if (GIT_URL.test(url)) {
    throw new InvalidArgument(`git build contexts are not supported by this engine (remote ${url}): clone it and send the directory instead`);
  }
  if (!/^https?:\/\//.test(url)) throw new InvalidArgument(`unable to prepare context: remote context ${JSON.stringify(url)} is not a URL`);
  const res = await fetch(url).catch((err: unknown) => {
    throw new InvalidArgument(`unable to prepare context: ${(err as Error).message}`);
  });
  if (!res.ok || !res.body) throw new InvalidArgument(`unable to prepare context: failed to GET ${url} with status ${res.status} ${res.statusText}`);
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}

export async function receiveContext(req: ContextRequest): Promise<BuildContext> {
  const dir = path.join(req.workRoot, `ctx-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    let dockerfileName = req.dockerfile || 'Dockerfile';
    const source = req.remote ? await fetchRemote(req.remote) : req.body;
    if (!source) throw new InvalidArgument('no build context');
    const { head, tar } = await contextTar(source);
    if (head.length > 0 && !looksLikeTar(head) && req.remote) {
      // A remote URL pointing at a Dockerfile rather than a tarball: the context is just that file.
      const chunks: Buffer[] = [];
      for await (const c of tar) chunks.push(c as Buffer);
      dockerfileName = 'Dockerfile';
      await writeFile(path.join(dir, dockerfileName), Buffer.concat(chunks));
    } else if (head.length > 0) {
      await unpackLayer(withTrailer(tar), dir);
    }
    const rel = path.posix.normalize(dockerfileName.replace(/\\/g, '/')).replace(/^\/+/, '');
    if (rel.startsWith('../')) throw new InvalidArgument(`Cannot locate specified Dockerfile: ${dockerfileName}`);
    let dockerfile: string;
    try {
      dockerfile = await readFile(path.join(dir, rel), 'utf8');
    } catch {
      // dockerd falls back to the lower-case name when the default is missing.
      if (req.dockerfile && req.dockerfile !== 'Dockerfile') throw new InvalidArgument(`Cannot locate specified Dockerfile: ${dockerfileName}`);
      dockerfile = await readFile(path.join(dir, 'dockerfile'), 'utf8').catch(() => {
        throw new InvalidArgument(`Cannot locate specified Dockerfile: ${dockerfileName}`);
      });
    }
    const specific = path.join(dir, `${rel}.dockerignore`);
    const ignoreFile = (await stat(specific).catch(() => undefined)) ? specific : path.join(dir, '.dockerignore');
    const ignore = new IgnoreMatcher(readIgnoreFile(await readFile(ignoreFile, 'utf8').catch(() => '')));
    return { dir, dockerfileName: rel, dockerfile, ignore, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
