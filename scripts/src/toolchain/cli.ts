// `node scripts/dist/toolchain/cli.js client|tools|peer [--cache DIR]`: makes sure the set is unpacked in the cache and
// prints where its binaries are. Set-up runs `client` always and `peer` in test mode; a cache hit costs a stat.
import path from 'node:path';
import { ensureDockerClientToolchain, ensureDockerdPeerToolchain, TOOLCHAIN_CACHE_DIR } from './index.js';
import { assembleDevToolsDir, devToolsDir, toolsLayout } from './tools-dir.js';

const [set, ...rest] = process.argv.slice(2);
const cacheAt = rest.indexOf('--cache');
const cacheDir = cacheAt === -1 ? TOOLCHAIN_CACHE_DIR : rest[cacheAt + 1]!;
const log = (line: string) => process.stderr.write(`[berth toolchain] ${line}\n`);

try {
  if (set === 'client') {
    const t = ensureDockerClientToolchain(cacheDir, log);
    process.stdout.write(`docker ${t.versions.cli}: ${t.cli}\ncompose ${t.versions.compose}: ${t.composePluginDir}\nbuildx ${t.versions.buildx}: ${t.buildxPluginDir}\n`);
  } else if (set === 'tools') {
    // The checkout's bundled-tools dir (what `berth start` links into ~/.berth/bin), from the client set.
    const repoRoot = path.resolve(TOOLCHAIN_CACHE_DIR, '../..');
    const out = devToolsDir(repoRoot);
    assembleDevToolsDir(out, toolsLayout(ensureDockerClientToolchain(cacheDir, log), repoRoot));
    process.stdout.write(`${out}\n`);
  } else if (set === 'peer') {
    const t = ensureDockerdPeerToolchain(cacheDir, log);
    process.stdout.write(`dockerd ${t.versions.dockerd}: ${t.dockerd}\ncontainerd ${t.versions.containerd}: ${t.pathDirs[0]}\n`);
  } else {
    process.stderr.write('usage: toolchain client|tools|peer [--cache DIR]\n');
    process.exit(2);
  }
} catch (err) {
  log((err as Error).message);
  process.exit(1);
}
