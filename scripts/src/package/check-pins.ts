import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { downloadVerified } from './download-verified.js';
import { checkManifest, type StaticToolsManifest } from './static-tools-manifest.js';

export interface PinCheck {
  name: string;
  target: string;
  url: string;
  /** Undefined when the download matched the pin; else why not (a mismatch names both digests). */
  problem?: string;
}

export interface CheckPinsOptions {
  /** Only these targets (`darwin-arm64`, …); every pinned target when empty. */
  targets?: string[];
  /** The note written as `checked` (default: today's date and how). */
  note?: string;
  log?: (line: string) => void;
  idleMs?: number;
}

/**
 * The maintainer's step before a release can package: downloads every pinned file (into a temp dir, removed after),
 * and where its sha256 is the pinned one records `checked` in the manifest file (rewritten atomically, every other
 * key kept). A pin that does not match stays unchecked and is reported, so packaging keeps refusing it.
 */
export async function checkPins(manifestFile: string, opts: CheckPinsOptions = {}): Promise<PinCheck[]> {
  const raw = JSON.parse(await readFile(manifestFile, 'utf8')) as StaticToolsManifest;
  checkManifest(raw, manifestFile);
  const note = opts.note ?? `${new Date().toISOString().slice(0, 10)}: the download's sha256 matched (check-pins)`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-check-pins-'));
  const results: PinCheck[] = [];
  try {
    for (const [name, tool] of Object.entries(raw.tools)) {
      for (const [target, build] of Object.entries(tool.builds)) {
        if (opts.targets?.length && !opts.targets.includes(target)) continue;
        opts.log?.(`checking ${name} ${tool.version} for ${target}: ${build.url}`);
        try {
          await downloadVerified(build.url, build.sha256, path.join(tmp, `${name}-${target}`), opts.idleMs ? { idleMs: opts.idleMs } : {});
          build.checked = note;
          results.push({ name, target, url: build.url });
        } catch (err) {
          results.push({ name, target, url: build.url, problem: (err as Error).message });
        } finally {
          await rm(path.join(tmp, `${name}-${target}`), { force: true });
        }
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const partial = `${manifestFile}.tmp-${process.pid}`;
  await writeFile(partial, `${JSON.stringify(raw, null, 2)}\n`);
  await rename(partial, manifestFile);
  return results;
}
