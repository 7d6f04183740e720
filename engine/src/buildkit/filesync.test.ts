// The DiffCopy receiver (context transfer) and the FileSend sender (-o type=local) at the packet level: fed by a
// scripted fsutil sender that answers REQs the way fsutil's does, and the two ends of berthd joined to each other.
import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, stat, symlink, writeFile, link, chmod } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContextDigests } from '../build/context-digests.js';
import { readIgnoreFile } from '../build/dockerignore.js';
import { codec } from './codec.js';
import { FrameReader } from './grpc-frames.js';
import { receiveDir } from './filesync.js';
import { sendDir } from './filesend.js';
import { FILE_MODE, PACKET, type Packet, type Stat } from './fsutil-packets.js';
import type { CallStream, Metadata } from './session-client.js';

const packets = codec<Packet>('fsutil.types.Packet');

/** Two connected ends of one bidi stream, in memory: what one writes the other reads. */
function callPair(): [CallStream, CallStream] {
  const make = () => ({ queue: [] as Buffer[], ended: false, wake: undefined as (() => void) | undefined, failure: undefined as Error | undefined });
  const a = make();
  const b = make();
  const end = (s: typeof a, failure?: Error) => {
    s.ended = true;
    s.failure ??= failure;
    s.wake?.();
  };
  const side = (mine: typeof a, theirs: typeof a): CallStream => {
    const write = (m: Buffer): boolean => {
      if (!theirs.ended) theirs.queue.push(m);
      theirs.wake?.();
      return true;
    };
    return {
      write,
      writeFrames: (framed) => {
        for (const m of new FrameReader().push(framed)) write(m);
        return true;
      },
      drain: async () => undefined,
      end: () => end(theirs),
      cancel: () => {
        end(theirs, new Error('cancelled by peer'));
        end(mine, new Error('cancelled'));
      },
      [Symbol.asyncIterator]: async function* () {
        for (;;) {
          if (mine.queue.length) {
            yield mine.queue.shift()!;
            continue;
          }
          if (mine.failure) throw mine.failure;
          if (mine.ended) return;
          await new Promise<void>((r) => (mine.wake = r));
          mine.wake = undefined;
        }
      },
    };
  };
  return [side(a, b), side(b, a)];
}

interface Entry {
  stat: Partial<Stat>;
  data?: Buffer;
}

/** fsutil's sender, scripted: every STAT, the end-of-listing STAT, DATA for each REQ, FIN for FIN. */
async function scriptedSender(call: CallStream, entries: Entry[], o: { chunk?: number; errAfterListing?: string } = {}): Promise<number[]> {
  const requested: number[] = [];
  for (const e of entries) call.write(packets.encode({ type: PACKET.STAT, stat: e.stat }));
  call.write(packets.encode({ type: PACKET.STAT }));
  if (o.errAfterListing) {
    call.write(packets.encode({ type: PACKET.ERR, data: Buffer.from(o.errAfterListing) }));
    call.end();
    return requested;
  }
  for await (const raw of call) {
    const p = packets.decode(raw);
    if (p.type === PACKET.REQ) {
      requested.push(p.ID);
      const data = entries[p.ID]?.data ?? Buffer.alloc(0);
      const size = o.chunk ?? 32 << 10;
      for (let off = 0; off < data.length; off += size) call.write(packets.encode({ type: PACKET.DATA, ID: p.ID, data: data.subarray(off, off + size) }));
      call.write(packets.encode({ type: PACKET.DATA, ID: p.ID }));
    } else if (p.type === PACKET.FIN) {
      call.write(packets.encode({ type: PACKET.FIN }));
      call.end();
    }
  }
  return requested;
}

const file = (p: string, perm: number, data: string, extra: Partial<Stat> = {}): Entry => ({
  stat: { path: p, mode: perm, size: Buffer.byteLength(data), modTime: 1_600_000_000_000_000_000, ...extra },
  data: Buffer.from(data),
});
const dir = (p: string, mode: number): Entry => ({ stat: { path: p, mode: FILE_MODE.DIR | mode, modTime: 1_500_000_000_000_000_000 } });

describe('FileSync DiffCopy receiver', () => {
  let dest: string;
  beforeEach(async () => {
    dest = await mkdtemp(path.join(os.tmpdir(), 'berth-filesync-'));
  });
  afterEach(async () => {
    await rm(dest, { recursive: true, force: true });
  });

  /** Runs the receiver against the scripted sender; returns the metadata it asked with and the REQ'd IDs. */
  async function receive(
    entries: Entry[],
    req: Partial<Parameters<typeof receiveDir>[2]> = {},
    o: Parameters<typeof scriptedSender>[2] = {},
    digests?: ContextDigests,
  ) {
    const [mine, theirs] = callPair();
    let md: Metadata | undefined;
    const session = { call: (_path: string, m?: Metadata) => ((md = m), mine) };
    const sender = scriptedSender(theirs, entries, o);
    sender.catch(() => undefined); // a receiver that fails first cancels the sender too
    const bytes = await receiveDir(session, dest, { dirName: 'context', ...req }, digests);
    return { bytes, md: md!, requested: await sender };
  }

  it('writes directories, files and their modes (Go os.FileMode bits: setuid, setgid, sticky), times, and empty files', async () => {
    const { bytes, requested } = await receive([
      dir('bin', 0o755),
      file('bin/tool', 0o755 | FILE_MODE.SETUID, '#!/bin/sh\n'),
      file('empty', 0o600, ''),
      file('readme.txt', 0o644, 'hello\n'),
      dir('shared', 0o777 | FILE_MODE.SETGID | FILE_MODE.STICKY),
    ]);
    expect(requested).toEqual([1, 2, 3]);
    expect(bytes).toBe(16);
    expect((await stat(path.join(dest, 'bin'))).mode & 0o7777).toBe(0o755);
    expect((await stat(path.join(dest, 'bin/tool'))).mode & 0o7777).toBe(0o4755);
    expect((await stat(path.join(dest, 'shared'))).mode & 0o7777).toBe(0o3777);
    expect((await stat(path.join(dest, 'empty'))).size).toBe(0);
    expect(await readFile(path.join(dest, 'readme.txt'), 'utf8')).toBe('hello\n');
    expect((await stat(path.join(dest, 'readme.txt'))).mtimeMs).toBe(1_600_000_000_000);
    expect((await stat(path.join(dest, 'bin'))).mtimeMs).toBe(1_500_000_000_000);
  });

  it('a file in many DATA chunks arrives whole', async () => {
    const big = Buffer.alloc(200_000, 'x');
    big.write('end', big.length - 3);
    await receive([{ stat: { path: 'big', mode: 0o644, size: big.length }, data: big }], {}, { chunk: 7_000 });
    expect((await readFile(path.join(dest, 'big'))).equals(big)).toBe(true);
  });

  it('symlinks keep their target (even one pointing outside), hardlinks share the inode and are never requested, fifos are skipped', async () => {
    const { requested } = await receive([
      file('a.txt', 0o644, 'linked\n'),
      file('b.txt', 0o644, '', { linkname: 'a.txt' }),
      { stat: { path: 'fifo', mode: FILE_MODE.PIPE | 0o644 } },
      { stat: { path: 'out', mode: FILE_MODE.SYMLINK | 0o777, linkname: '../../etc/passwd' } },
      { stat: { path: 'rel', mode: FILE_MODE.SYMLINK | 0o777, linkname: 'a.txt' } },
    ]);
    expect(requested).toEqual([0]);
    expect(await readlink(path.join(dest, 'out'))).toBe('../../etc/passwd');
    expect(await readlink(path.join(dest, 'rel'))).toBe('a.txt');
    const [a, b] = await Promise.all([stat(path.join(dest, 'a.txt')), stat(path.join(dest, 'b.txt'))]);
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    expect((await readdir(dest)).sort()).toEqual(['a.txt', 'b.txt', 'out', 'rel']);
  });

  it('non-ASCII names arrive as they are, and non-ASCII followpaths go out query-escaped with <key>-encoded', async () => {
    const { md } = await receive([dir('dossier-é', 0o755), file('dossier-é/日本語.txt', 0o644, 'ja\n')], {
      dirName: 'dockerfile',
      followPaths: ['Dockerfile', 'Dockérfile.dockerignore'],
    });
    expect(await readFile(path.join(dest, 'dossier-é/日本語.txt'), 'utf8')).toBe('ja\n');
    expect(md['dir-name']).toBe('dockerfile');
    expect(md.followpaths).toEqual(['Dockerfile', 'Dock%C3%A9rfile.dockerignore']);
    expect(md['followpaths-encoded']).toBe('1');
  });

  it('.dockerignore lines go to the sender as exclude-patterns, one header value each, negations kept', async () => {
    const patterns = readIgnoreFile('# comment\nsecret.txt\n*.log\n!keep.log\nnode_modules/\n');
    const { md } = await receive([file('keep.log', 0o644, 'k\n')], { excludePatterns: patterns });
    expect(md['exclude-patterns']).toEqual(['secret.txt', '*.log', '!keep.log', 'node_modules']);
    expect(md['exclude-patterns-encoded']).toBeUndefined();
  });

  it('a path climbing out of the destination fails the transfer and writes nothing outside', async () => {
    await expect(receive([file('../escape', 0o644, 'x')])).rejects.toThrow(/invalid path in file transfer: \.\.\/escape/);
    await expect(lstat(path.join(dest, '..', 'escape'))).rejects.toThrow();
  });

  describe('a hostile listing fails and writes nothing outside the destination', () => {
    let outside: string;
    beforeEach(async () => {
      outside = await mkdtemp(path.join(os.tmpdir(), 'berth-filesync-outside-'));
      await writeFile(path.join(outside, 'victim'), 'untouched');
    });
    afterEach(async () => {
      await rm(outside, { recursive: true, force: true });
    });
    const link = (p: string, target: string): Entry => ({ stat: { path: p, mode: FILE_MODE.SYMLINK | 0o777, linkname: target } });

    it('a file under a symlinked directory', async () => {
      await expect(receive([link('d', outside), file('d/new', 0o644, 'x')])).rejects.toThrow(/d\/new does not follow its directory/);
      expect(await readdir(outside)).toEqual(['victim']);
    });

    it('a file listed again over a symlink to a file outside', async () => {
      await expect(receive([link('a', path.join(outside, 'victim')), file('a', 0o644, 'overwritten')])).rejects.toThrow(/a listed twice/);
      expect(await readFile(path.join(outside, 'victim'), 'utf8')).toBe('untouched');
    });

    it('a directory listed again, and an entry whose directory was never listed', async () => {
      await expect(receive([dir('d', 0o755), dir('d', 0o755)])).rejects.toThrow(/d listed twice/);
      await rm(dest, { recursive: true, force: true });
      await mkdir(dest);
      await expect(receive([file('nodir/x', 0o644, 'x')])).rejects.toThrow(/nodir\/x does not follow its directory/);
    });

    it('a hardlink to a file that was not sent (through a symlink, or outside)', async () => {
      await expect(receive([link('d', outside), file('h', 0o644, '', { linkname: 'd/victim' })])).rejects.toThrow(/not a file sent before it/);
      await expect(receive([file('h2', 0o644, '', { linkname: '../victim' })])).rejects.toThrow(/not a file sent before it/);
      await expect(lstat(path.join(dest, 'h'))).rejects.toThrow();
    });
  });

  it('records each file\'s sha256 as it arrives, for the files as written (a big one streamed too)', async () => {
    const digests = new ContextDigests();
    const big = 'b'.repeat(3 << 20);
    await receive([dir('d', 0o755), file('d/a.txt', 0o644, 'hello\n'), file('big', 0o600, big)], {}, { chunk: 1 << 16 }, digests);
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const a = path.join(dest, 'd/a.txt');
    expect(digests.lookup(a, await lstat(a))).toBe(sha('hello\n'));
    const b = path.join(dest, 'big');
    expect(digests.lookup(b, await lstat(b))).toBe(sha(big));
    expect(await readFile(b, 'utf8')).toBe(big);
    expect((await stat(b)).mode & 0o7777).toBe(0o600);
  });

  it("the sender's ERR fails the transfer with its message", async () => {
    await expect(receive([file('a', 0o644, 'x')], {}, { errAfterListing: 'open /ctx/a: permission denied' })).rejects.toThrow(
      'error from sender: open /ctx/a: permission denied',
    );
  });
});

describe('FileSend sender (-o type=local) into the receiver', () => {
  let src: string;
  let dest: string;
  beforeEach(async () => {
    src = await mkdtemp(path.join(os.tmpdir(), 'berth-filesend-src-'));
    dest = await mkdtemp(path.join(os.tmpdir(), 'berth-filesend-dst-'));
  });
  afterEach(async () => {
    await rm(src, { recursive: true, force: true });
    await rm(dest, { recursive: true, force: true });
  });

  it('sends a tree in byte order with Go modes, and the receiver rebuilds it (links, hardlinks, modes, non-ASCII, empty files)', async () => {
    await mkdir(path.join(src, 'sub/deeper'), { recursive: true });
    await writeFile(path.join(src, 'sub/deeper/x.bin'), Buffer.alloc(100_000, 7));
    await writeFile(path.join(src, 'Zeta'), 'upper case sorts first\n');
    await writeFile(path.join(src, 'ünïcode.txt'), 'ü\n');
    await writeFile(path.join(src, 'empty'), '');
    await writeFile(path.join(src, 'tool'), '#!/bin/sh\n');
    await chmod(path.join(src, 'tool'), 0o4750);
    await link(path.join(src, 'tool'), path.join(src, 'tool-again'));
    await symlink('sub/deeper/x.bin', path.join(src, 'link'));
    execFileSync('mkfifo', [path.join(src, 'pipe')]);

    const [sender, receiver] = callPair();
    const seen: Stat[] = [];
    const tap: CallStream = {
      ...sender,
      write: (m) => {
        const p = packets.decode(m);
        if (p.type === PACKET.STAT && p.stat) seen.push(p.stat);
        return sender.write(m);
      },
    };
    const [sent, received] = await Promise.all([sendDir(tap, src), receiveDir({ call: () => receiver }, dest, { dirName: 'x' })]);
    expect(sent).toBe(100_000 + 23 + 3 + 10);
    expect(received).toBe(sent);
    expect(seen.map((s) => s.path)).toEqual(['Zeta', 'empty', 'link', 'pipe', 'sub', 'sub/deeper', 'sub/deeper/x.bin', 'tool', 'tool-again', 'ünïcode.txt']);
    const byPath = new Map(seen.map((s) => [s.path, s]));
    expect(byPath.get('sub')!.mode >>> 0).toBe((FILE_MODE.DIR | 0o755) >>> 0);
    expect(byPath.get('link')!.mode).toBe(FILE_MODE.SYMLINK | 0o777);
    expect(byPath.get('pipe')!.mode).toBe(FILE_MODE.PIPE | 0o644);
    expect(byPath.get('tool')!.mode).toBe(FILE_MODE.SETUID | 0o750);
    expect(byPath.get('tool-again')!.linkname).toBe('tool');
    expect((await readFile(path.join(dest, 'sub/deeper/x.bin'))).length).toBe(100_000);
    expect(await readFile(path.join(dest, 'ünïcode.txt'), 'utf8')).toBe('ü\n');
    expect(await readlink(path.join(dest, 'link'))).toBe('sub/deeper/x.bin');
    expect((await stat(path.join(dest, 'tool'))).mode & 0o7777).toBe(0o4750);
    expect((await stat(path.join(dest, 'tool-again'))).ino).toBe((await stat(path.join(dest, 'tool'))).ino);
  });
});
