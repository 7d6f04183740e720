import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI tools the app carries for its OS and architecture, in one dir:
 *   bin/docker, bin/docker-credential-berth         (on PATH through ~/.berth/bin)
 *   cli-plugins/docker-compose, cli-plugins/docker-buildx, cli-plugins/docker-extension   (through cliPluginsExtraDirs)
 * (`.exe`/`.cmd` on Windows.) A packaged app has it at `<resources>/tools`; a checkout at
 * `.cache/tools/<platform>-<arch>`, assembled by `scripts/setup.sh` from the Debian toolchain; `BERTH_TOOLS_DIR`
 * points anywhere else.
 */
export interface BundledTool {
  name: string;
  kind: 'bin' | 'plugin';
  path: string;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export function bundledToolsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.BERTH_TOOLS_DIR) return env.BERTH_TOOLS_DIR;
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources && existsSync(path.join(resources, 'tools'))) return path.join(resources, 'tools');
  const dev = path.join(REPO_ROOT, '.cache', 'tools', `${process.platform}-${process.arch}`);
  return existsSync(dev) ? dev : undefined;
}

export function listBundledTools(dir: string): BundledTool[] {
  const list = (sub: string, kind: BundledTool['kind']): BundledTool[] => {
    const d = path.join(dir, sub);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((n) => !n.startsWith('.'))
      .sort()
      .map((name) => ({ name, kind, path: path.join(d, name) }));
  };
  return [...list('bin', 'bin'), ...list('cli-plugins', 'plugin')];
}
