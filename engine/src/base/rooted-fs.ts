import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from './errors.js';

/** A host directory mounted at a path inside the rooted view (a volume, a bind, a single bind-mounted file). */
export interface RootedMount {
  /** Absolute, normalised path inside the view. */
  destination: string;
  /** Host path that backs it. */
  source: string;
}

/**
 * A filesystem as a container sees it, from the host: a root directory plus host paths mounted at paths inside
 * it. Every untrusted path is resolved here with symlinks followed but clamped to the view (a link to `/etc`
 * means the view's /etc, never the host's), and `..` never climbs above `/`. Paths given to and returned from
 * `resolve` are view paths; `hostPath` maps a resolved view path to where its bytes are on the host.
 */
export class RootedFs {
  readonly root: string;
  private readonly mounts: RootedMount[];

  constructor(root: string, mounts: RootedMount[] = []) {
    this.root = root;
    // Longest destination first, so nested mounts win over the ones they sit in.
    this.mounts = mounts
      .map((m) => ({ destination: path.posix.normalize(m.destination), source: m.source }))
      .sort((a, b) => b.destination.length - a.destination.length);
  }

  /** The mount that holds a resolved view path, if any. */
  mountFor(viewPath: string): RootedMount | undefined {
    const p = path.posix.normalize(viewPath);
    return this.mounts.find((m) => p === m.destination || p.startsWith(`${m.destination}/`));
  }

  /** True when a resolved view path is exactly where something is mounted. */
  isMountPoint(viewPath: string): boolean {
    const p = path.posix.normalize(viewPath);
    return this.mounts.some((m) => m.destination === p);
  }

  /** Where a resolved (symlink-free) view path lives on the host. */
  hostPath(viewPath: string): string {
    const p = path.posix.normalize(`/${viewPath}`);
    const m = this.mountFor(p);
    if (m) return path.join(m.source, p.slice(m.destination.length));
    return path.join(this.root, p);
  }

  /**
   * Resolves an untrusted path to a symlink-free view path. `followLast: false` leaves a final symlink as is
   * (lstat semantics), as `docker cp` without `-L` wants.
   */
  async resolve(untrusted: string, opts: { followLast: boolean } = { followLast: true }, maxLinks = 255): Promise<string> {
    const parts = untrusted.split('/').filter((p) => p !== '' && p !== '.');
    const resolved: string[] = [];
    let links = 0;
    while (parts.length > 0) {
      const part = parts.shift() as string;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const candidate = `/${[...resolved, part].join('/')}`;
      if (parts.length === 0 && !opts.followLast) {
        resolved.push(part);
        break;
      }
      let target: string | undefined;
      try {
        const st = await fs.lstat(this.hostPath(candidate));
        if (st.isSymbolicLink()) target = await fs.readlink(this.hostPath(candidate));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      }
      if (target === undefined) {
        resolved.push(part);
        continue;
      }
      if (++links > maxLinks) throw new InvalidArgument(`too many levels of symbolic links in ${untrusted}`);
      if (target.startsWith('/')) resolved.length = 0;
      parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
    }
    return `/${resolved.join('/')}`;
  }

  /**
   * Checks, with the kernel's own resolution, that a host directory we are about to write into is still inside
   * the view (the root or the mount that holds it). It narrows the window in which a process in a running
   * container could swap a resolved directory for a symlink.
   */
  async assertInside(viewPath: string): Promise<void> {
    const host = this.hostPath(viewPath);
    const real = await fs.realpath(host);
    const m = this.mountFor(viewPath);
    const base = await fs.realpath(m ? m.source : this.root);
    const rel = path.relative(base, real);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new InvalidArgument(`path ${JSON.stringify(viewPath)} escapes the container's filesystem`);
    }
  }
}

/**
 * Resolves an untrusted path inside root as if root were `/`, following symlinks but clamping every step to root,
 * so a symlink to `/etc` inside a container's rootfs resolves to `<root>/etc`, never the host's. Returns the host
 * path. `followLast: false` leaves a final symlink unresolved (lstat semantics).
 */
export async function resolveInRoot(root: string, untrusted: string, followLast = true): Promise<string> {
  const view = new RootedFs(root);
  return view.hostPath(await view.resolve(untrusted, { followLast }));
}
