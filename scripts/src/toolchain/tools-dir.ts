import { existsSync, mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { DockerClientToolchain } from './sets.js';

/** `<repo>/.cache/tools/<platform>-<arch>`: where a checkout's `berth start` finds its bundled tools (host/toolchain/bundled-tools.ts). */
export function devToolsDir(repoRoot: string, platform: string = process.platform, arch: string = process.arch): string {
  return path.join(repoRoot, '.cache', 'tools', `${platform}-${arch}`);
}

/** What goes where in a tools dir: `bin/<name>` and `cli-plugins/<name>` → the file that provides it. */
export function toolsLayout(t: DockerClientToolchain, repoRoot: string): Record<string, string> {
  const electronBin = path.join(repoRoot, 'electron', 'bin');
  const layout: Record<string, string> = {
    'bin/docker': t.cli,
    'bin/docker-credential-berth': path.join(electronBin, 'docker-credential-berth'),
    'cli-plugins/docker-compose': path.join(t.composePluginDir, 'docker-compose'),
    'cli-plugins/docker-buildx': path.join(t.buildxPluginDir, 'docker-buildx'),
  };
  if (existsSync(path.join(electronBin, 'docker-extension'))) layout['cli-plugins/docker-extension'] = path.join(electronBin, 'docker-extension');
  return layout;
}

/**
 * Lays the tools dir out as links to the Debian toolchain and the checkout's own entry points (the same layout a
 * packaged app carries as files under its resources). Each link is replaced atomically; a re-run is a few stats.
 */
export function assembleDevToolsDir(outDir: string, layout: Record<string, string>): void {
  for (const [rel, target] of Object.entries(layout)) {
    const link = path.join(outDir, rel);
    mkdirSync(path.dirname(link), { recursive: true });
    try {
      if (readlinkSync(link) === target) continue;
    } catch {
      // Missing or not a link.
    }
    const tmp = `${link}.tmp-${process.pid}`;
    rmSync(tmp, { force: true });
    symlinkSync(target, tmp);
    renameSync(tmp, link);
  }
}
