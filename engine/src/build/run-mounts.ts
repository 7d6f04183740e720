/**
 * BuildKit's `RUN --mount` (and `--network`) for the executor: cache mounts kept under the build root between
 * builds, secrets from the client's session written to a private file for the one step, the client's SSH agent
 * through a socket for the one step, tmpfs, and binds of the context, a stage or an image (read-only, or writable
 * through a throwaway overlay). Each becomes a mount of the step's container; the mount points it made are
 * left out of the step's layer, and cache/bind sources join the step's cache key (secrets never do).
 */
import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgument, NotFound } from '../base/errors.js';
import type { Builder } from './builder.js';
import type { Node } from './dockerfile/parse.js';
import { processWord } from './dockerfile/shell-lex.js';
import type { StageState } from './state.js';
import { mountImage } from './workspace.js';

export interface ContainerMount {
  Type: 'bind' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
}

export interface RunMounts {
  mounts: ContainerMount[];
  /** Part of the step's cache key (the cache-mount ids and bind sources; never secret contents). */
  cacheKey: string[];
  /** Relative paths of mount points to leave out of the layer. */
  targets: string[];
  /** Secrets passed as environment variables (`env=`). */
  env: string[];
  networkMode: string | undefined;
  release(): Promise<void>;
}

function fields(spec: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.set((eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase(), eq < 0 ? 'true' : part.slice(eq + 1));
  }
  return out;
}

function absTarget(target: string | undefined, workdir: string | undefined, what: string): string {
  if (!target) throw new InvalidArgument(`mount: ${what} requires a target`);
  return path.posix.resolve(workdir || '/', target);
}

/** `dir` (or a file) seen through an overlay with a throwaway upper dir; the view goes when the step's mounts do. */
async function writableView(dir: string, dirs: { dataDir: string; execDir: string }, closers: Array<() => Promise<void>>): Promise<string> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return dir;
  const view = await mountImage(dirs, [st.isDirectory() ? dir : path.dirname(dir)]);
  closers.push(() => view.dispose());
  return st.isDirectory() ? view.root : path.join(view.root, path.basename(dir));
}

const truthy = (v: string | undefined): boolean => v !== undefined && v !== 'false' && v !== '0';

/** Parses and prepares the step's mounts; `release` removes what was made only for this step. */
export async function prepareRunMounts(b: Builder, state: StageState, node: Node): Promise<RunMounts> {
  const env = b.expansionEnv(state);
  const workdir = state.config.WorkingDir;
  const out: RunMounts = { mounts: [], cacheKey: [], targets: [], env: [], networkMode: undefined, release: async () => undefined };
  const scratch: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  let sshCount = 0;
  out.release = async () => {
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    for (const d of scratch) await rm(d, { recursive: true, force: true });
  };
  try {
    for (const flag of node.flags) {
      if (flag.startsWith('--network=')) {
        const mode = flag.slice('--network='.length);
        if (!['default', 'none', 'host'].includes(mode)) throw new InvalidArgument(`unsupported network mode ${mode}`);
        if (mode !== 'default') out.networkMode = mode;
        continue;
      }
      if (flag.startsWith('--security=')) throw new InvalidArgument('RUN --security=insecure is not supported by this engine');
      if (!flag.startsWith('--mount=')) continue;
      const f = fields(processWord(flag.slice('--mount='.length), env, b.escape));
      const type = f.get('type') ?? 'bind';
      const target = f.get('target') ?? f.get('dst') ?? f.get('destination');
      const ro = truthy(f.get('ro') ?? f.get('readonly'));
      if (type === 'cache') {
        const t = absTarget(target, workdir, 'cache');
        const id = f.get('id') || t;
        const dir = await b.cacheMountDir(id);
        if (!f.get('from')) {
          await mkdir(dir, { recursive: true });
          if (f.get('mode')) await chmod(dir, Number.parseInt(f.get('mode')!, 8));
          if (f.get('uid') || f.get('gid')) await chown(dir, Number(f.get('uid') ?? 0), Number(f.get('gid') ?? 0));
        }
        out.mounts.push({ Type: 'bind', Source: dir, Target: t, ReadOnly: ro });
        out.cacheKey.push(`cache:${id}:${t}`);
        out.targets.push(t);
      } else if (type === 'secret') {
        const id = f.get('id') || path.posix.basename(target ?? '');
        if (!id) throw new InvalidArgument('mount: secret requires an id or a target');
        const data = await b.secret(id);
        const required = truthy(f.get('required'));
        if (data === undefined) {
          if (required) throw new NotFound(`secret ${id} not found`);
          continue;
        }
        const envName = f.get('env');
        if (envName && !target) {
          out.env.push(`${envName}=${data.toString('utf8')}`);
          continue;
        }
        const t = absTarget(target ?? `/run/secrets/${id}`, workdir, 'secret');
        const dir = await mkdtemp(path.join(b.deps.dirs.execDir, 'secret-'));
        scratch.push(dir);
        const file = path.join(dir, 'secret');
        await writeFile(file, data, { mode: Number.parseInt(f.get('mode') ?? '0400', 8) });
        if (f.get('uid') || f.get('gid')) await chown(file, Number(f.get('uid') ?? 0), Number(f.get('gid') ?? 0));
        out.mounts.push({ Type: 'bind', Source: file, Target: t, ReadOnly: true });
        out.targets.push(t);
        if (envName) out.env.push(`${envName}=${data.toString('utf8')}`);
      } else if (type === 'tmpfs') {
        const t = absTarget(target, workdir, 'tmpfs');
        out.mounts.push({ Type: 'tmpfs', Target: t });
        out.targets.push(t);
      } else if (type === 'bind') {
        const t = absTarget(target, workdir, 'bind');
        const from = f.get('from');
        const { dir, key } = await b.bindSource(state, from, f.get('source') ?? f.get('src') ?? '/');
        const rw = truthy(f.get('rw') ?? f.get('readwrite'));
        // The context (and a named context dir) is shared with later steps and with the layers COPY linked from it:
        // a writable bind of it gets an overlay whose writes are thrown away after the step, as BuildKit's are.
        const shared = from === undefined || b.namedDir(from) !== undefined;
        const source = rw && shared ? await writableView(dir, b.deps.dirs, closers) : dir;
        out.mounts.push({ Type: 'bind', Source: source, Target: t, ReadOnly: !rw });
        out.cacheKey.push(`bind:${key}:${t}`);
        out.targets.push(t);
      } else if (type === 'ssh') {
        if (f.get('source') ?? f.get('src')) throw new InvalidArgument('ssh does not support source');
        const id = f.get('id') || 'default';
        // BuildKit numbers the default targets per step and points SSH_AUTH_SOCK at the first, agent or not.
        const t = target ? absTarget(target, workdir, 'ssh') : `/run/buildkit/ssh_agent.${sshCount}`;
        if (sshCount++ === 0 && !(state.config.Env ?? []).some((e) => e.startsWith('SSH_AUTH_SOCK='))) out.env.push(`SSH_AUTH_SOCK=${t}`);
        out.cacheKey.push(`ssh:${id}:${t}`);
        const dir = await mkdtemp(path.join(b.deps.dirs.execDir, 'ssh-'));
        scratch.push(dir);
        const mode = Number.parseInt(f.get('mode') ?? '0600', 8);
        const agent = await b.opts.sshAgent?.(id, dir, { mode, uid: Number(f.get('uid') ?? 0), gid: Number(f.get('gid') ?? 0) });
        if (!agent) {
          if (truthy(f.get('required'))) throw new InvalidArgument(`no SSH key ${JSON.stringify(id)} forwarded from the client`);
          continue;
        }
        closers.push(agent.close);
        out.mounts.push({ Type: 'bind', Source: agent.path, Target: t });
        out.targets.push(t);
      } else {
        throw new InvalidArgument(`unsupported mount type "${type}"`);
      }
    }
  } catch (err) {
    await out.release();
    throw err;
  }
  return out;
}

/** A cache mount's directory name for an id: a digest, so any id is a safe file name. */
export function cacheMountName(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}
