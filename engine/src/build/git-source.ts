/**
 * ADD's Git sources, as BuildKit reads them: `git://…`, `ssh://…`, `git@host:path`, and http(s) URLs whose path
 * ends in `.git`, with an optional `#ref[:subdir]` fragment. The ref (branch, tag or commit; default the remote's
 * HEAD) is fetched shallowly into the step's scratch dir by the machine's `git`, with only the network transports
 * allowed (never `file://` or `ext::`, so a Dockerfile cannot read the engine's own files). `.git` is dropped
 * unless `--keep-git-dir`. The step's cache key is the commit, not the checkout's file times.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { InvalidArgument } from '../base/errors.js';
import { resolveInRoot } from '../base/rooted-fs.js';

const run = promisify(execFile);

export function isGitSource(arg: string): boolean {
  const url = arg.split('#')[0]!;
  return /^git:\/\//.test(url) || /^ssh:\/\//.test(url) || /^git@[^:/]+:/.test(url) || (/^https?:\/\//.test(url) && /\.git\/?$/.test(url));
}

export interface GitCheckout {
  /** The repository's checkout (the root for the source). */
  dir: string;
  /** The directory the fragment's subdir names inside it (the checkout itself without one). */
  source: string;
  commit: string;
}

const SAFE_GIT = ['-c', 'protocol.allow=never', ...['git', 'http', 'https', 'ssh'].flatMap((p) => ['-c', `protocol.${p}.allow=always`])];

async function git(args: string[], cwd: string, signal?: AbortSignal): Promise<string> {
  try {
    const { stdout } = await run('git', [...SAFE_GIT, ...args], {
      cwd,
      signal,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
      maxBuffer: 1 << 20,
    });
    return stdout.trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new InvalidArgument('ADD of a Git repository needs git, which this engine does not have');
    throw new InvalidArgument(`failed to fetch remote ${args[args.length - 2] ?? ''}: ${(e.stderr ?? e.message).trim()}`);
  }
}

export async function fetchGit(arg: string, dir: string, keepGitDir: boolean, signal?: AbortSignal): Promise<GitCheckout> {
  const hash = arg.indexOf('#');
  const url = hash < 0 ? arg : arg.slice(0, hash);
  const [ref = '', subdir = ''] = (hash < 0 ? '' : arg.slice(hash + 1)).split(':');
  await git(['init', '-q', dir], path.dirname(dir), signal);
  try {
    await git(['fetch', '-q', '--depth=1', url, ref || 'HEAD'], dir, signal);
  } catch (err) {
    // A commit that is not a branch or tag head cannot be fetched shallowly from every server: fetch it all.
    if (!/^[0-9a-f]{7,40}$/.test(ref)) throw err;
    await git(['fetch', '-q', url], dir, signal);
  }
  await git(['checkout', '-q', /^[0-9a-f]{7,40}$/.test(ref) ? ref : 'FETCH_HEAD'], dir, signal);
  const commit = await git(['rev-parse', 'HEAD'], dir, signal);
  if (!keepGitDir) await rm(path.join(dir, '.git'), { recursive: true, force: true });
  const source = subdir ? await resolveInRoot(dir, subdir) : dir;
  return { dir, source, commit };
}
