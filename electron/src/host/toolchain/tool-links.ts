import { copyFileSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BundledTool } from './bundled-tools.js';
import { newerUserPlugin } from './plugin-version.js';

export type LinkOutcome =
  | { name: string; path: string; state: 'linked' | 'kept' }
  /** A file Berth did not make is there: left alone. */
  | { name: string; path: string; state: 'taken'; by: string }
  /** The user has a newer copy of this plugin where the CLI finds it: Berth's is not offered. */
  | { name: string; path: string; state: 'user-newer'; by: string; version: string };

/**
 * A Windows `.cmd` finds its own files through `%~dp0`, so neither a copy nor (for cmd.exe) a symlink elsewhere would
 * work: Berth puts a one-line `.cmd` there that calls the real one by its full path.
 */
export function cmdShim(target: string): string {
  return `@"${target}" %*\r\n`;
}

const isCmd = (file: string) => /\.cmd$/i.test(file);

function readShim(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Is `link` a symlink Berth made to `target` (or, for a `.cmd`, Berth's shim calling it)? */
export function isLinkTo(link: string, target: string): boolean {
  if (isCmd(target)) return lstatSync(link, { throwIfNoEntry: false })?.isFile() === true && readShim(link) === cmdShim(target);
  try {
    return lstatSync(link).isSymbolicLink() && readlinkSync(link) === target;
  } catch {
    return false;
  }
}

/** Anything Berth put in its own dirs: a link, or a shim calling a `.cmd`. */
function madeByBerth(file: string): boolean {
  const st = lstatSync(file, { throwIfNoEntry: false });
  return !!st && (st.isSymbolicLink() || (isCmd(file) && st.isFile() && /^@".*" %\*\r\n$/.test(readShim(file) ?? '')));
}

/** Links `target` at `link`, replacing only an earlier link of Berth's (`ours` says whether the thing there is). */
function place(link: string, target: string, ours: (p: string) => boolean): 'linked' | 'kept' | 'taken' {
  const st = lstatSync(link, { throwIfNoEntry: false });
  if (st) {
    if (isLinkTo(link, target)) return 'kept';
    if (!ours(link)) return 'taken';
    rmSync(link, { force: true });
  }
  if (isCmd(target)) {
    writeFileSync(link, cmdShim(target));
    return 'linked';
  }
  try {
    symlinkSync(target, link);
  } catch (err) {
    // Windows without developer mode cannot make symlinks: a copy does the same job there.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    copyFileSync(target, link);
  }
  return 'linked';
}

/**
 * ~/.berth/bin and ~/.berth/cli-plugins: links to the bundled tools (both dirs are Berth's own, so an earlier link
 * there pointing elsewhere, e.g. at an older app, is replaced). A plugin the user already has in a newer version
 * (~/.docker/cli-plugins, the system plugin dirs) is left to win: Berth's link is removed instead.
 */
export function linkBundledTools(tools: BundledTool[], dirs: { bin: string; cliPlugins: string }, dockerConfigDir: string): LinkOutcome[] {
  mkdirSync(dirs.bin, { recursive: true });
  mkdirSync(dirs.cliPlugins, { recursive: true });
  const ownDir = madeByBerth;
  return tools.map((tool): LinkOutcome => {
    const link = path.join(tool.kind === 'bin' ? dirs.bin : dirs.cliPlugins, tool.name);
    if (tool.kind === 'plugin') {
      const newer = newerUserPlugin(tool.name, tool.path, dockerConfigDir);
      if (newer) {
        if (ownDir(link)) rmSync(link, { force: true });
        return { name: tool.name, path: link, state: 'user-newer', by: newer.path, version: newer.version };
      }
    }
    const state = place(link, tool.path, ownDir);
    return state === 'taken' ? { name: tool.name, path: link, state, by: link } : { name: tool.name, path: link, state };
  });
}

/**
 * The optional links in a system dir on PATH (`/usr/local/bin`, as Docker Desktop offers): never over a file that is
 * not already Berth's link (`ours`: a link Berth recorded making there, e.g. to an app since moved). Returns the
 * outcome per tool, for the uninstall record and the report.
 */
export function linkIntoSystemDir(tools: BundledTool[], dir: string, ours: (link: string) => boolean = () => false): LinkOutcome[] {
  return tools
    .filter((t) => t.kind === 'bin')
    .map((tool): LinkOutcome => {
      const link = path.join(dir, tool.name);
      const state = place(link, tool.path, ours);
      return state === 'taken' ? { name: tool.name, path: link, state, by: link } : { name: tool.name, path: link, state };
    });
}

/** Uninstall: removes a link only while it still points where Berth pointed it. */
export function removeLinkIfOurs(link: string, target: string): boolean {
  if (!isLinkTo(link, target)) return false;
  rmSync(link);
  return true;
}
