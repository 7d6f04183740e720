/**
 * COPY and ADD: sources from the context (minus `.dockerignore`), another stage or image (`--from`), heredocs,
 * and for ADD URLs (`--checksum` pins them) and local tar archives (extracted). `--exclude` patterns leave paths
 * out (matched against each source's name and, inside a copied directory, paths relative to it); `--parents` keeps
 * each source's directories relative to its root (after an rsync-style `/./`, and `**` matches any depth). The
 * cache key is dockerd's `COPY file:<sum> in <dest> ` with the flags that shape the result and the checksum of
 * what the sources hold (also the classic history; BuildKit's reads `COPY app/ ./ # buildkit`); on a miss they are
 * copied into the image through an overlay mount and the mount's upper dir becomes the layer (and, moved, its
 * snapshot). A whole received context dir into a new directory is linked instead (`link-tree.ts`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgument } from '../base/errors.js';
import type { Builder } from './builder.js';
import { copyHistory } from './buildkit-history.js';
import { extractArchive, isArchive } from './archive-source.js';
import { copySource, existsInRoot, isDirInRoot, mkdirInRoot, type Identity } from './copy.js';
import { linkable, linkTree } from './link-tree.js';
import { IgnoreMatcher } from './dockerignore.js';
import type { Node } from './dockerfile/parse.js';
import { processWord, processWords } from './dockerfile/shell-lex.js';
import { resolveIdentity } from './identity.js';
import { fetchGit, isGitSource } from './git-source.js';
import { checkChecksum, download, isRemoteSource } from './remote-source.js';
import { matchSources, parentsBase, sourceChecksum, type Source, type SourceRoot } from './sources.js';
import { flagBool, flagValues, parseFlags, type StageState } from './state.js';
import { FLAGS } from './stages.js';

const HEREDOC_WORD = /^<<-?["']?(\w+)["']?$/;

interface Resolved {
  root: SourceRoot;
  sources: Source[];
  /** Sources ADD may unpack (local files, not URLs or heredocs). */
  local: boolean;
  /** With `--parents`: the leading directories of each source's path that are not kept. */
  base: string;
  /** The cache key of a source that is not keyed on its files' checksum (a Git commit). */
  key?: string;
}

/** Where a source lands with `--parents`: its path below `base`, under the destination directory. */
function keptPath(g: Resolved, s: Source): string {
  return g.base ? s.rel.slice(g.base.length + 1) : s.rel;
}

export async function dispatchCopy(b: Builder, state: StageState, node: Node): Promise<void> {
  const name = node.cmd.toUpperCase();
  const flags = parseFlags(node, FLAGS[node.cmd]!);
  const env = b.expansionEnv(state);
  const words = node.json ?? processWords(node.rest, env, b.escape);
  if (words.length < 2) throw new InvalidArgument(`${name} requires at least two arguments`);
  const rawDest = words[words.length - 1]!;
  const dest = path.posix.isAbsolute(rawDest) ? rawDest : path.posix.join(state.config.WorkingDir || '/', rawDest) + (rawDest.endsWith('/') ? '/' : '');
  const srcArgs = words.slice(0, -1);
  const parents = flagBool(flags.get('parents')) === true;
  const link = flagBool(flags.get('link')) === true && b.opts.buildkit === true;
  const excludes = flagValues(node, 'exclude').map((p) => processWord(p, env, b.escape));
  const exclude = excludes.length ? new IgnoreMatcher(excludes) : undefined;
  const excluded = (s: Source): boolean => !!exclude && s.rel !== '' && (exclude.ignores(s.rel) || exclude.ignores(path.posix.basename(s.rel)));
  const checksumFlag = flags.get('checksum');
  const checksum = checksumFlag === undefined ? undefined : processWord(checksumFlag, env, b.escape);
  if (checksum !== undefined) checkChecksum(checksum, srcArgs);
  const scratch = path.join(b.deps.dirs.dataDir, `src-${createHash('sha256').update(`${Math.random()}`).digest('hex').slice(0, 12)}`);
  await mkdir(scratch, { recursive: true });
  try {
    const from = flags.get('from');
    let fromRoot: SourceRoot | undefined;
    if (from !== undefined) {
      const fromName = processWord(from, env, b.escape);
      const namedDir = b.namedDir(fromName);
      fromRoot = { dir: namedDir ?? (await b.mount(await b.baseImage(fromName, '', state.index))).root, scoped: true };
    }
    const contextRoot: SourceRoot = { dir: b.ctx.dir, ignore: b.ctx.ignore, scoped: false, digests: b.ctx.received?.digests };
    const groups: Resolved[] = [];
    for (const arg of srcArgs) {
      const here = HEREDOC_WORD.exec(arg);
      const doc = here ? node.heredocs.find((h) => h.name === here[1]) : undefined;
      if (doc) {
        const file = path.join(scratch, doc.name);
        await writeFile(file, doc.expand ? processWord(doc.content, env, b.escape) : doc.content, { mode: 0o644 });
        groups.push({ root: { dir: scratch, scoped: false }, sources: [{ rel: doc.name, abs: file, dir: false }], local: false, base: '' });
      } else if (node.cmd === 'add' && b.opts.buildkit && isGitSource(arg) && !fromRoot) {
        const keep = flagBool(flags.get('keep-git-dir')) === true;
        const repo = await fetchGit(arg, path.join(scratch, `git-${groups.length}`), keep, b.signal);
        const source: Source = { rel: path.relative(repo.dir, repo.source), abs: repo.source, dir: true };
        groups.push({ root: { dir: repo.dir, scoped: true }, sources: [source], local: false, base: '', key: `git:${repo.commit}:${source.rel}:${keep}` });
      } else if (node.cmd === 'add' && isRemoteSource(arg) && !fromRoot) {
        groups.push({ root: { dir: scratch, scoped: false }, sources: [await download(arg, scratch, dest, checksum)], local: false, base: '' });
      } else {
        const root = fromRoot ?? contextRoot;
        const sources = (await matchSources(root, arg, name, parents)).filter((s) => !excluded(s));
        groups.push({ root, sources, local: true, base: parents ? parentsBase(arg) : '' });
      }
    }
    const all = groups.flatMap((g) => g.sources);
    if (all.length > 1 && !dest.endsWith('/') && !parents) {
      throw new InvalidArgument(`When using ${name} with more than one source file, the destination must be a directory and end with a /`);
    }
    const sums: string[] = [];
    for (const g of groups) {
      if (g.key) sums.push(g.key);
      else for (const s of g.sources) sums.push(`${s.dir ? 'dir' : 'file'}:${await sourceChecksum(g.root, s, exclude)}${parents ? `:${keptPath(g, s)}` : ''}`);
    }
    const srcHash = sums.length === 1 ? sums[0]! : `multi:${createHash('sha256').update(sums.join(',')).digest('hex')}`;
    const chown = flags.get('chown');
    const chmod = flags.get('chmod');
    if (chmod !== undefined && !/^[0-7]{1,4}$/.test(chmod)) throw new InvalidArgument(`invalid chmod parameter: ${chmod}`);
    const flagText = [
      chown ? `--chown=${chown} ` : '',
      chmod ? `--chmod=${chmod} ` : '',
      parents ? '--parents ' : '',
      link ? '--link ' : '',
      ...excludes.map((p) => `--exclude=${p} `),
    ].join('');
    const cacheKey = [...b.shell(state), `#(nop) ${name} ${flagText}${srcHash} in ${dest} `];
    const heredocs = srcArgs.filter((a) => HEREDOC_WORD.test(a) && node.heredocs.some((h) => h.name === HEREDOC_WORD.exec(a)![1]));
    const history = copyHistory({
      add: node.cmd === 'add',
      sources: [...srcArgs.filter((a) => !heredocs.includes(a)), ...heredocs.map((a) => `<<${HEREDOC_WORD.exec(a)![1]}`)],
      dest: rawDest,
      ...(chown ? { chown: processWord(chown, env, b.escape) } : {}),
      ...(chmod ? { chmod } : {}),
      parents,
    });
    let mounted: Awaited<ReturnType<Builder['mount']>> | undefined;
    let linkDir: string | undefined;
    await b.commit(state, {
      createdBy: b.opts.buildkit ? history : cacheKey.join(' '),
      cacheKey,
      link,
      produce: async () => {
        let root: string;
        let identity: Identity | undefined;
        if (link) {
          // COPY --link: the files go into an empty directory, which is the layer as it is; the image below is
          // neither mounted nor read (but for a --chown by name, resolved against its /etc/passwd).
          linkDir = path.join(b.deps.dirs.dataDir, `link-${randomBytes(6).toString('hex')}`);
          await mkdir(linkDir, { mode: 0o755 });
          root = linkDir;
          const owner = chown ? processWord(chown, env, b.escape) : undefined;
          if (owner && !/^\d+(:\d+)?$/.test(owner)) {
            const view = await b.mount(state.image);
            try {
              identity = await resolveIdentity(view.root, owner);
            } finally {
              await b.release(view);
            }
          } else if (owner) identity = await resolveIdentity(root, owner);
        } else {
          mounted = await b.mount(state.image);
          root = mounted.root;
          const only = groups.length === 1 && all.length === 1 ? groups[0]!.sources[0]! : undefined;
          const whole = !!only?.dir && groups[0]!.root === contextRoot && !chown && chmod === undefined && !exclude && !parents;
          if (whole && (await linkable({ received: !!b.ctx.received, wholeDirOnly: true, source: only.abs, upper: mounted.upper }))) {
            if (!(await existsInRoot(root, dest))) {
              const target = await mkdirInRoot(root, dest, { uid: 0, gid: 0 });
              await mounted.unmount();
              await linkTree(only.abs, mounted.upper, path.relative(root, target));
              return { upperDir: mounted.upper };
            }
          }
          identity = chown ? await resolveIdentity(root, processWord(chown, env, b.escape)) : undefined;
        }
        const mode = chmod !== undefined ? parseInt(chmod, 8) : undefined;
        const destIsDir = parents || dest.endsWith('/') || all.length > 1 || (!link && (await isDirInRoot(root, dest)));
        for (const g of groups) {
          for (const s of g.sources) {
            if (node.cmd === 'add' && g.local && !s.dir && (await isArchive(s.abs))) {
              const out = path.join(scratch, `x-${sums.length}-${Math.random().toString(16).slice(2)}`);
              await extractArchive(s.abs, out);
              await copySource(root, { rel: '', abs: out, dir: true }, dest, true, { identity, chmod: mode });
              continue;
            }
            const o = { identity: identity ?? { uid: 0, gid: 0 }, chmod: mode, ignore: g.root.ignore, exclude };
            if (parents) await copySource(root, s, path.posix.join(dest, keptPath(g, s)), false, o);
            else await copySource(root, s, dest, destIsDir, o);
          }
        }
        if (linkDir) return { upperDir: linkDir };
        await mounted!.unmount();
        return { upperDir: mounted!.upper };
      },
      finish: async () => {
        if (mounted) await b.release(mounted);
        if (linkDir) await rm(linkDir, { recursive: true, force: true });
      },
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
