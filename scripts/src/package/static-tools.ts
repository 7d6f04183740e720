import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { downloadVerified } from './download-verified.js';
import { planTarget, refuseUncheckedPins, type PlannedTool, type StaticToolsManifest } from './static-tools-manifest.js';
import { unpackMember } from './unpack-member.js';

export interface FetchStaticToolsOptions {
  manifest: StaticToolsManifest;
  /** `darwin-x64`, `darwin-arm64`, `win32-x64`: Node's platform and arch names, as the tools dirs are named. */
  target: string;
  /** The result is `<outDir>/<target>/{bin,cli-plugins}/…`, the layout the app carries as `<resources>/tools`. */
  outDir: string;
  /** Verified downloads kept by sha256, so the next packaging run does not fetch them again. */
  cacheDir?: string;
  log?: (line: string) => void;
  idleMs?: number;
}

export interface FetchedTools {
  dir: string;
  tools: { name: string; version: string; path: string }[];
}

/** Where the archive of `tool` is kept: named by its pinned digest, so a file there is the pinned file or nothing. */
function archivePath(dir: string, tool: PlannedTool): string {
  return path.join(dir, `${tool.sha256.slice(0, 16)}-${path.posix.basename(new URL(tool.url).pathname)}`);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function ensureArchive(tool: PlannedTool, dir: string, opts: FetchStaticToolsOptions): Promise<string> {
  const file = archivePath(dir, tool);
  // A cached copy is hashed again: the cache is only a disk folder, the manifest is what is trusted.
  if (existsSync(file) && (await sha256Of(file)) === tool.sha256) return file;
  await rm(file, { force: true });
  opts.log?.(`fetching ${tool.name} ${tool.version} for ${opts.target}: ${tool.url}`);
  await downloadVerified(tool.url, tool.sha256, file, opts.idleMs ? { idleMs: opts.idleMs } : {});
  return file;
}

/**
 * Docker's static builds for one target, fetched, checked against the manifest's sha256 and laid out as
 * `<outDir>/<target>/bin/docker[.exe]` and `<outDir>/<target>/cli-plugins/docker-{compose,buildx}[.exe]`. Everything is
 * built in a staging dir beside the result and renamed into place at the end: a failure (download, checksum, a
 * member missing from an archive) removes the staging dir and leaves an earlier result as it was. A pin nobody has
 * checked against the real download (no `checked`) stops it before anything is fetched.
 */
export async function fetchStaticTools(opts: FetchStaticToolsOptions): Promise<FetchedTools> {
  const plan = planTarget(opts.manifest, opts.target);
  refuseUncheckedPins(plan, opts.target);
  await mkdir(opts.outDir, { recursive: true });
  const staging = await mkdtemp(path.join(opts.outDir, `.staging-${opts.target}-`));
  const final = path.join(opts.outDir, opts.target);
  try {
    const downloads = opts.cacheDir ?? path.join(staging, 'downloads');
    await mkdir(downloads, { recursive: true });
    const tree = path.join(staging, 'tree');
    for (const tool of plan) {
      const archive = await ensureArchive(tool, downloads, opts);
      const dest = path.join(tree, tool.target);
      await mkdir(path.dirname(dest), { recursive: true });
      await unpackMember(archive, tool.archive, tool.member, dest);
      await chmod(dest, 0o755);
    }
    const provenance = plan.map(({ name, version, url, sha256, target }) => ({ name, version, url, sha256, path: target }));
    await writeFile(path.join(tree, '.berth-static-tools.json'), `${JSON.stringify({ target: opts.target, tools: provenance }, null, 2)}\n`);
    const old = `${staging}/previous`;
    if (existsSync(final)) await rename(final, old);
    await rename(tree, final);
    return { dir: final, tools: plan.map((t) => ({ name: t.name, version: t.version, path: path.join(final, t.target) })) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
