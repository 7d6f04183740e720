// `node scripts/dist/toolchain/cli.js client|peer [--cache DIR]`: makes sure the set is unpacked in the cache and
// prints where its binaries are. Set-up runs `client` always and `peer` in test mode; a cache hit costs a stat.
import { ensureDockerClientToolchain, ensureDockerdPeerToolchain, TOOLCHAIN_CACHE_DIR } from './index.js';

const [set, ...rest] = process.argv.slice(2);
const cacheAt = rest.indexOf('--cache');
const cacheDir = cacheAt === -1 ? TOOLCHAIN_CACHE_DIR : rest[cacheAt + 1]!;
const log = (line: string) => process.stderr.write(`[berth toolchain] ${line}\n`);

try {
  if (set === 'client') {
    const t = ensureDockerClientToolchain(cacheDir, log);
    process.stdout.write(`docker ${t.versions.cli}: ${t.cli}\ncompose ${t.versions.compose}: ${t.composePluginDir}\nbuildx ${t.versions.buildx}: ${t.buildxPluginDir}\n`);
  } else if (set === 'peer') {
    const t = ensureDockerdPeerToolchain(cacheDir, log);
    process.stdout.write(`dockerd ${t.versions.dockerd}: ${t.dockerd}\ncontainerd ${t.versions.containerd}: ${t.pathDirs[0]}\n`);
  } else {
    process.stderr.write('usage: toolchain client|peer [--cache DIR]\n');
    process.exit(2);
  }
} catch (err) {
  log((err as Error).message);
  process.exit(1);
}
