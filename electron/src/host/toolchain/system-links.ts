import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { BerthPaths } from '../paths.js';
import { bundledToolsDir, listBundledTools } from './bundled-tools.js';
import { readHostChanges, writeHostChanges, type MadeLink } from './host-changes.js';
import { linkIntoSystemDir, removeLinkIfOurs } from './tool-links.js';

/** Where Docker Desktop offers its links: on every default PATH of macOS and Linux. */
export const SYSTEM_BIN_DIR = '/usr/local/bin';

export type SystemLinkOutcome =
  | { name: string; path: string; state: 'linked' | 'kept' }
  /** Something that is not Berth's link is there (the user's own docker, another app's): left alone. */
  | { name: string; path: string; state: 'foreign'; what: string };

export class SystemDirNotWritable extends Error {
  constructor(readonly dir: string, code: string) {
    super(`cannot write to ${dir} (${code}): Berth links its tools there only when asked by someone who may, e.g. \`sudo berth host-tools link-system\``);
  }
}

/** What a file Berth leaves alone is, for the report: a link to somewhere, or a program that says its version. */
function describe(file: string): string {
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) return 'gone';
  if (st.isSymbolicLink()) return `a link to ${readlinkSync(file)}`;
  const res = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 3000, stdio: ['ignore', 'pipe', 'ignore'] });
  const version = res.status === 0 ? res.stdout.trim().split('\n')[0] : undefined;
  return version ? `your own (${version})` : 'a file Berth did not make';
}

/** Under `sudo`, the record belongs in the invoking user's ~/.berth, owned by them, not in root's. */
export function invokingUserEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.BERTH_HOME || process.getuid?.() !== 0 || !env.SUDO_USER) return env;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[0] === env.SUDO_USER);
  const home = line?.split(':')[5];
  return home ? { ...env, BERTH_HOME: path.join(home, '.berth') } : env;
}

function writeRecord(paths: BerthPaths, links: MadeLink[], env: NodeJS.ProcessEnv): void {
  writeHostChanges(paths.hostChanges, { ...readHostChanges(paths.hostChanges), links });
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID);
  if (process.getuid?.() === 0 && Number.isInteger(uid) && Number.isInteger(gid) && env.SUDO_UID) chownSync(paths.hostChanges, uid, gid);
}

/**
 * `berth host-tools link-system` (never run by start): links the bundled `docker` and `docker-credential-berth` into
 * `dir`, as Docker Desktop offers for /usr/local/bin. Only where nothing is, or where Berth's own recorded link is
 * (e.g. to an app that has moved since); a user's binary, newer or not, and any other link are left and reported.
 * Each link made is recorded in ~/.berth/host-changes.json, which `berth uninstall` and `unlink-system` work from.
 */
export function linkSystemTools(opts: { paths: BerthPaths; dir?: string; env?: NodeJS.ProcessEnv }): SystemLinkOutcome[] {
  const env = opts.env ?? process.env;
  const dir = opts.dir ?? SYSTEM_BIN_DIR;
  const toolsDir = bundledToolsDir(env);
  const tools = toolsDir ? listBundledTools(toolsDir) : [];
  if (!tools.some((t) => t.kind === 'bin')) throw new Error('no bundled docker CLI tools found (a checkout gets them from scripts/setup.sh)');
  if (!existsSync(dir)) throw new Error(`${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new SystemDirNotWritable(dir, (err as NodeJS.ErrnoException).code ?? 'not writable');
  }
  const recorded = readHostChanges(opts.paths.hostChanges).links;
  const ours = (link: string) => {
    const made = recorded.find((l) => l.path === link);
    try {
      return !!made && readlinkSync(link) === made.target;
    } catch {
      return false;
    }
  };
  const outcomes = linkIntoSystemDir(tools, dir, ours).map((o): SystemLinkOutcome =>
    o.state === 'linked' || o.state === 'kept' ? { name: o.name, path: o.path, state: o.state } : { name: o.name, path: o.path, state: 'foreign', what: describe(o.path) },
  );
  const made = outcomes.filter((o) => o.state !== 'foreign').map((o) => ({ path: o.path, target: tools.find((t) => t.name === o.name)!.path }));
  // A recorded link now foreign (the user replaced it) is theirs: dropped from the record, as uninstall would skip it.
  const links = [...recorded.filter((l) => !outcomes.some((o) => o.path === l.path)), ...made];
  writeRecord(opts.paths, links, env);
  return outcomes;
}

/** `berth host-tools unlink-system`: removes the recorded links in `dir` that still point where Berth pointed them. */
export function unlinkSystemTools(opts: { paths: BerthPaths; dir?: string; env?: NodeJS.ProcessEnv }): { removed: string[]; left: string[] } {
  const env = opts.env ?? process.env;
  const dir = path.resolve(opts.dir ?? SYSTEM_BIN_DIR);
  const recorded = readHostChanges(opts.paths.hostChanges).links;
  const inDir = recorded.filter((l) => path.dirname(l.path) === dir);
  const removed = inDir.filter((l) => removeLinkIfOurs(l.path, l.target)).map((l) => l.path);
  // A recorded link the user has since replaced is theirs now: forgotten, not removed.
  const left = inDir.filter((l) => !removed.includes(l.path) && existsSync(l.path)).map((l) => l.path);
  writeRecord(opts.paths, recorded.filter((l) => !inDir.includes(l)), env);
  return { removed, left };
}

/** For Settings: whether every link Berth recorded in `dir` is still its own, and whether this user may write there. */
export function systemLinksState(paths: BerthPaths, dir: string = SYSTEM_BIN_DIR): { on: boolean; writable: boolean } {
  const inDir = readHostChanges(paths.hostChanges).links.filter((l) => path.dirname(l.path) === path.resolve(dir));
  const on = inDir.length > 0 && inDir.every((l) => {
    try {
      return readlinkSync(l.path) === l.target;
    } catch {
      return false;
    }
  });
  let writable = false;
  try {
    accessSync(dir, constants.W_OK);
    writable = true;
  } catch {
    // Root's /usr/local/bin: the user is told the sudo command instead.
  }
  return { on, writable };
}

export function formatSystemLinks(dir: string, outcomes: SystemLinkOutcome[]): string {
  const lines: string[] = [];
  const ok = outcomes.filter((o) => o.state !== 'foreign').map((o) => o.name);
  if (ok.length) lines.push(`Linked in ${dir}: ${ok.join(', ')} (berth uninstall or berth host-tools unlink-system removes them)`);
  for (const o of outcomes) if (o.state === 'foreign') lines.push(`Left ${o.path} alone: ${o.what}.`);
  return lines.join('\n');
}
