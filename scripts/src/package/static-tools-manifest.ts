import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The pins of Docker's official static client builds (`scripts/deps/docker-static-tools.json`): per tool a version,
 * where it goes in the app's tools dir (`bin` or `cli-plugins`), and per target (`darwin-arm64`, `win32-x64`, …) the
 * URL, the sha256 of the file at that URL, and how the binary sits in it (a `.tgz` or `.zip` member, or the file).
 */
export interface StaticBuild {
  url: string;
  sha256: string;
  archive: 'tgz' | 'zip' | 'file';
  /** The binary's path inside the archive (tgz/zip only), e.g. `docker/docker`. */
  member?: string;
  /**
   * When the pin was seen to match the real download (`check-pins` writes it). A pin without it was never compared
   * with the file upstream serves, and packaging refuses it.
   */
  checked?: string;
  /**
   * Public records of this same URL's sha256 made by others (`owner/repo path@commit`: package manifests whose bots
   * hashed the download, or copies of upstream's checksums). They say the pin is not invented; they are not a
   * download, so they never stand in for `checked`.
   */
  corroboratedBy?: string[];
}

export interface StaticTool {
  version: string;
  dest: 'bin' | 'cli-plugins';
  builds: Record<string, StaticBuild>;
}

export interface StaticToolsManifest {
  tools: Record<string, StaticTool>;
}

/** One file to fetch for one target: the tool's name and where its binary lands (`bin/docker.exe`). */
export interface PlannedTool extends StaticBuild {
  name: string;
  version: string;
  /** Relative to the target's tools dir, with `.exe` on Windows. */
  target: string;
}

export function readStaticToolsManifest(file: string): StaticToolsManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the static tools manifest ${file}: ${(err as Error).message}`, { cause: err });
  }
  return checkManifest(raw, file);
}

/** Every mistake a hand edit can make is named with its place in the file, before anything is downloaded. */
export function checkManifest(raw: unknown, where = 'the manifest'): StaticToolsManifest {
  const fail = (at: string, what: string): never => {
    throw new Error(`${where}: ${at}: ${what}`);
  };
  const tools = (raw as { tools?: unknown } | null)?.tools;
  if (!tools || typeof tools !== 'object') fail('tools', 'missing');
  for (const [name, tool] of Object.entries(tools as Record<string, StaticTool>)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) fail(name, 'a tool name is lower case letters, digits and dashes');
    if (typeof tool.version !== 'string' || !tool.version) fail(name, 'version is missing');
    if (tool.dest !== 'bin' && tool.dest !== 'cli-plugins') fail(name, 'dest must be "bin" or "cli-plugins"');
    if (!tool.builds || typeof tool.builds !== 'object') fail(name, 'builds is missing');
    for (const [target, b] of Object.entries(tool.builds)) {
      const at = `${name}.builds.${target}`;
      if (!/^(darwin|win32|linux)-(x64|arm64)$/.test(target)) fail(at, 'a target is <darwin|win32|linux>-<x64|arm64>');
      if (!/^[0-9a-f]{64}$/.test(b.sha256 ?? '')) fail(at, 'sha256 must be 64 lower-case hex digits');
      let url: URL | undefined;
      try {
        url = new URL(b.url);
      } catch {
        fail(at, `url is not a URL: ${String(b.url)}`);
      }
      if (url && url.protocol !== 'https:' && url.protocol !== 'http:') fail(at, 'url must be http(s)');
      if (!['tgz', 'zip', 'file'].includes(b.archive)) fail(at, 'archive must be "tgz", "zip" or "file"');
      if (b.archive !== 'file' && !b.member) fail(at, `a ${b.archive} build names its binary in "member"`);
      if (b.checked !== undefined && (typeof b.checked !== 'string' || !b.checked)) fail(at, '"checked" is a non-empty note of when the pin matched the download');
      if (b.corroboratedBy !== undefined) checkCorroboration(b.corroboratedBy, (what) => fail(at, what));
    }
  }
  return raw as StaticToolsManifest;
}

// A record someone can open again: the repository, the file, and the commit it was read at (a branch moves).
const RECORD = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]* [^\s@]+@[0-9a-f]{40}$/;

function checkCorroboration(records: unknown, fail: (what: string) => never): void {
  if (!Array.isArray(records) || records.length === 0) fail('"corroboratedBy" is a non-empty list of "owner/repo path@commit"');
  for (const r of records as unknown[]) {
    if (typeof r !== 'string' || !RECORD.test(r)) fail(`"corroboratedBy" entry ${JSON.stringify(r)} is not "owner/repo path@<40-hex commit>"`);
  }
}

/** What `target` (e.g. `darwin-arm64`) gets; a target the manifest does not cover is an error naming what it does. */
export function planTarget(manifest: StaticToolsManifest, target: string): PlannedTool[] {
  const exe = target.startsWith('win32-') ? '.exe' : '';
  const plan = Object.entries(manifest.tools).map(([name, tool]) => {
    const build = tool.builds[target];
    if (!build) {
      throw new Error(`the static tools manifest has no ${name} build for ${target} (it has: ${Object.keys(tool.builds).join(', ')})`);
    }
    return { ...build, name, version: tool.version, target: path.posix.join(tool.dest, `${name}${exe}`) };
  });
  if (plan.length === 0) throw new Error('the static tools manifest lists no tools');
  return plan;
}

/**
 * Packaging ships only pins someone has seen match the real download: the sha256 values were first written without
 * one (no internet where they were written), and a wrong pin must stop a release, not be found by a user.
 */
export function refuseUncheckedPins(plan: PlannedTool[], target: string, manifestFile = 'scripts/deps/docker-static-tools.json'): void {
  const unchecked = plan.filter((t) => !t.checked);
  if (unchecked.length === 0) return;
  throw new Error(
    `refusing to package ${target}: the sha256 pins of ${unchecked.map((t) => `${t.name} ${t.version} (${t.url})`).join(', ')} were never checked ` +
      `against the real downloads (no "checked" in ${manifestFile}). On a machine with internet access run ` +
      '`node scripts/dist/package/cli.js check-pins`, which downloads each pinned file and records "checked" where its sha256 matches; ' +
      "compare the pins with upstream's published checksums where there are some (Compose and buildx release assets), then commit the manifest.",
  );
}
