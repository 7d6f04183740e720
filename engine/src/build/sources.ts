/**
 * COPY/ADD sources: paths or Go filepath.Match wildcards, relative to a root (the build context, or another
 * stage's or image's filesystem for `--from`), minus what `.dockerignore` excludes; and the checksum of what they
 * hold (names, types, modes, owners, sizes, link targets and content, not times), which is the step's cache key
 * as dockerd's tarsum is.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readlinkSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import path from 'node:path';
import { InvalidArgument, NotFound } from '../base/errors.js';
import type { ContextDigests } from './context-digests.js';
import type { IgnoreMatcher } from './dockerignore.js';
import { resolveInRoot } from '../base/rooted-fs.js';
import { readSmallFileSync, SMALL_FILE_MAX } from '../base/small-files.js';

export interface Source {
  /** Path relative to the root, slash-separated ('' is the root itself). */
  rel: string;
  abs: string;
  dir: boolean;
}

export interface SourceRoot {
  dir: string;
  /** Context roots skip ignored files; image roots have none. */
  ignore?: IgnoreMatcher | undefined;
  /** Image roots resolve symlinks inside themselves; the context is plain files. */
  scoped: boolean;
  /** Content digests known without reading the files (a received context's). */
  digests?: ContextDigests | undefined;
}

export function hasWildcards(p: string): boolean {
  return /[*?[]/.test(p);
}

/** Go's filepath.Match as a RegExp; with `doublestar`, `**` also matches any number of path components. */
export function globToRegExp(pattern: string, doublestar = false): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && doublestar && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new InvalidArgument('syntax error in pattern');
      const cls = pattern.slice(i + 1, end);
      re += `[${cls.startsWith('^') ? `^${cls.slice(1).replace(/\\/g, '\\\\')}` : cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.+^${}()|[\]\\*?/]/g, '\\$&');
    else re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function cleanRel(p: string): string {
  const n = path.posix.normalize(`/${p}`).slice(1);
  return n.replace(/\/$/, '');
}

async function walk(root: string, rel: string, visit: (rel: string, dir: boolean) => boolean | void): Promise<void> {
  const abs = rel ? path.join(root, rel) : root;
  for (const name of (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${name.name}` : name.name;
    const dir = name.isDirectory();
    if (visit(r, dir) === false) continue;
    if (dir) await walk(root, r, visit);
  }
}

/**
 * For `COPY --parents`: the leading directories of a source argument that are not kept, those before an rsync-style
 * `/./` marker ('' when there is none: every parent is kept).
 */
export function parentsBase(arg: string): string {
  const trimmed = arg.replace(/^(\.?\/)+/, '');
  const marker = trimmed.lastIndexOf('/./');
  return marker < 0 ? '' : cleanRel(trimmed.slice(0, marker));
}

/**
 * Resolves one COPY/ADD source argument to what it names. `doublestar` (COPY --parents) lets `**` match any number
 * of directories.
 */
export async function matchSources(root: SourceRoot, arg: string, instruction: string, doublestar = false): Promise<Source[]> {
  const rel = cleanRel(arg);
  const ignored = (r: string): boolean => !!root.ignore && r !== '' && root.ignore.ignores(r);
  if (hasWildcards(rel)) {
    const re = globToRegExp(rel, doublestar);
    const deep = doublestar && rel.includes('**');
    const depth = rel.split('/').length;
    const out: Source[] = [];
    await walk(root.dir, '', (r, dir) => {
      const d = r.split('/').length;
      if ((deep || d === depth) && re.test(r) && !ignored(r)) out.push({ rel: r, abs: path.join(root.dir, r), dir });
      return deep || d < depth;
    });
    if (out.length === 0) throw new InvalidArgument(`${instruction} failed: no source files were specified`);
    return out;
  }
  const abs = root.scoped ? await resolveInRoot(root.dir, rel) : path.join(root.dir, rel);
  const st = await lstat(abs).catch(() => undefined);
  if (!st || ignored(rel)) {
    throw new NotFound(`${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${rel || '.'}: file does not exist`);
  }
  return [{ rel, abs, dir: st.isDirectory() }];
}

async function fileDigest(abs: string, size: number): Promise<string> {
  const h = createHash('sha256');
  if (size <= SMALL_FILE_MAX) h.update(readSmallFileSync(abs, size));
  else for await (const c of createReadStream(abs)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Entries described between two yields to the event loop (each is a few direct system calls). */
const ENTRIES_PER_YIELD = 256;

/**
 * The checksum of one source: every entry below it (if a directory) that is neither ignored nor excluded. Each
 * entry is described (and a file's content hashed) on its own, then combined in path order. Metadata and small
 * files are read by direct system calls (`small-files.ts`): a thread-pool round trip per file cost more than the
 * calls, and a received context's files need no read at all (their digests were recorded as they arrived).
 */
export async function sourceChecksum(root: SourceRoot, src: Source, exclude?: IgnoreMatcher): Promise<string> {
  const entry = async (rel: string, abs: string): Promise<string> => {
    const st = lstatSync(abs);
    const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o';
    const link = type === 'l' ? readlinkSync(abs) : '';
    const digest = type === 'f' ? (root.digests?.lookup(abs, st) ?? (await fileDigest(abs, st.size))) : '';
    return `${rel}\0${type}\0${st.mode & 0o7777}\0${st.uid}\0${st.gid}\0${type === 'f' ? st.size : 0}\0${link}\0${digest}\0`;
  };
  const described: string[] = [await entry('', src.abs)];
  if (src.dir) {
    const files: string[] = [];
    await walk(src.abs, '', (r) => {
      if (exclude?.ignores(r)) return false;
      const full = src.rel ? `${src.rel}/${r}` : r;
      if (root.ignore?.ignores(full) && !root.ignore.hasExclusions) return false;
      if (!root.ignore?.ignores(full)) files.push(r);
      return true;
    });
    const parts = new Array<string>(files.length);
    for (const [i, file] of files.entries()) {
      if (i > 0 && i % ENTRIES_PER_YIELD === 0) await yieldToLoop();
      parts[i] = await entry(file, path.join(src.abs, file));
    }
    described.push(parts.join(''));
  }
  const h = createHash('sha256');
  for (const d of described) h.update(d);
  return h.digest('hex');
}
