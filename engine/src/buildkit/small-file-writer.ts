/**
 * Small received files written and hashed on a worker thread. A 20,000-file context is CPU-bound on a 2-core
 * machine (berthd, buildx and the kernel's create path share the cores), and on the event loop's thread each file
 * cost a thread-pool round trip for its create (a queue, a wake-up of a pool thread that then took the loop's CPU)
 * plus the write and the sha256 of its bytes. The worker does them with plain system calls, one file after the
 * other, while the loop goes on decoding packets; files go over in batches whose bytes travel in one transferred
 * buffer (no copy). The worker is one per process, made at first use and left idle (unref'd) between transfers.
 *
 * Its code is evaluated from a string (`eval: true`) so that the bundled berthd in the VM, one CommonJS file,
 * needs no second file for it; it uses Node's built-in modules only.
 */
import type * as Crypto from 'node:crypto';
import type * as Fs from 'node:fs';
import type * as WorkerThreads from 'node:worker_threads';
import { Worker } from 'node:worker_threads';

export interface SmallFile {
  /** Host path; its directory exists, the name must not (created exclusively, never through a final symlink). */
  path: string;
  data: Buffer;
  /** Permission and set-id/sticky bits, applied exactly (not filtered by the umask). */
  mode: number;
  mtimeMs: number | undefined;
}

/** Per file: its sha256 (hex), or why it could not be written. */
export type SmallFileResult = { digest: string } | { error: string; code?: string };

interface WireFile {
  path: string;
  off: number;
  len: number;
  mode: number;
  mtimeMs: number | undefined;
}

interface Batch {
  seq: number;
  buf: ArrayBuffer;
  files: WireFile[];
}

/** Runs in the worker (its source is sent as a string: nothing from this module's scope is reachable). */
function workerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports -- an eval'd worker is a CommonJS script */
  const { parentPort, workerData } = require('node:worker_threads') as typeof WorkerThreads;
  const fs = require('node:fs') as typeof Fs;
  const { createHash } = require('node:crypto') as typeof Crypto;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const umask = (workerData as { umask: number }).umask;
  parentPort!.on('message', (batch: Batch) => {
    const all = Buffer.from(batch.buf);
    const results = batch.files.map((f) => {
      const data = all.subarray(f.off, f.off + f.len);
      try {
        const fd = fs.openSync(f.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, f.mode & 0o777);
        try {
          for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
          if ((f.mode & ~0o777) !== 0 || (f.mode & umask) !== 0) fs.fchmodSync(fd, f.mode);
          if (f.mtimeMs !== undefined) fs.futimesSync(fd, f.mtimeMs / 1000, f.mtimeMs / 1000);
        } finally {
          fs.closeSync(fd);
        }
        return { digest: createHash('sha256').update(data).digest('hex') };
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        return { error: e.message, ...(e.code ? { code: e.code } : {}) };
      }
    });
    parentPort!.postMessage({ seq: batch.seq, results });
  });
}

const WORKER_SOURCE = `(${workerMain.toString()})()`;

/** The process's one writer worker; its batches are answered in order. */
class SmallFileWriter {
  private worker: Worker | undefined;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: SmallFileResult[]) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { umask: process.umask() } });
    worker.unref();
    worker.on('message', (m: { seq: number; results: SmallFileResult[] }) => {
      const w = this.waiting.get(m.seq);
      this.waiting.delete(m.seq);
      w?.resolve(m.results);
      if (this.waiting.size === 0) worker.unref();
    });
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the file writer thread exited (code ${code})`)));
    return worker;
  }

  /** Writes `files` (each with the rules of `SmallFile`); resolves with one result per file, in order. */
  write(files: SmallFile[]): Promise<SmallFileResult[]> {
    const worker = (this.worker ??= this.start());
    let total = 0;
    for (const f of files) total += f.data.length;
    const buf = new ArrayBuffer(total);
    const bytes = new Uint8Array(buf);
    const wire: WireFile[] = [];
    let off = 0;
    for (const f of files) {
      bytes.set(f.data, off);
      wire.push({ path: f.path, off, len: f.data.length, mode: f.mode, mtimeMs: f.mtimeMs });
      off += f.data.length;
    }
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      // Kept alive only while a batch is out, so an idle berthd (or a test) is never held open by it.
      worker.ref();
      worker.postMessage({ seq, buf, files: wire } satisfies Batch, [buf]);
    });
  }
}

let shared: SmallFileWriter | undefined;

/** Writes and hashes small files on the process's writer thread (see above). */
export function writeSmallFiles(files: SmallFile[]): Promise<SmallFileResult[]> {
  return (shared ??= new SmallFileWriter()).write(files);
}
