// `node scripts/dist/package/cli.js tools TARGET… [--manifest FILE] [--out DIR] [--cache DIR]`: the CLI tools each
// packaged app carries, laid out in `<out>/<target>/{bin,cli-plugins}` (default `.cache/package-tools`), which
// electron-builder.yml copies to `<resources>/tools`. macOS and Windows targets get Docker's static builds pinned in
// scripts/deps/docker-static-tools.json (fetched and checked here; a pin never checked against the real download is
// refused); linux-x64 gets the Debian toolchain's binaries.
// `node scripts/dist/package/cli.js check-pins [TARGET…] [--manifest FILE]`: the maintainer's step, with internet
// access, that downloads every pinned file and records in the manifest which pins match (check-pins.ts).
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDockerClientToolchain, TOOLCHAIN_CACHE_DIR } from '../toolchain/index.js';
import { checkPins } from './check-pins.js';
import { writeAppNodeLaunchers } from './app-node-launchers.js';
import { fetchStaticTools } from './static-tools.js';
import { readStaticToolsManifest } from './static-tools-manifest.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const log = (line: string) => process.stderr.write(`[berth package] ${line}\n`);

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const v = args[i + 1];
  if (!v) throw new Error(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

/** Linux: Debian's docker CLI, Compose and buildx (the binaries the test rig drives), copied into the same layout. */
function debianTools(outDir: string): string {
  const t = ensureDockerClientToolchain(TOOLCHAIN_CACHE_DIR, log);
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(path.join(outDir, '.staging-linux-x64-'));
  const final = path.join(outDir, 'linux-x64');
  try {
    const files: Record<string, string> = {
      'bin/docker': t.cli,
      'cli-plugins/docker-compose': path.join(t.composePluginDir, 'docker-compose'),
      'cli-plugins/docker-buildx': path.join(t.buildxPluginDir, 'docker-buildx'),
    };
    for (const [rel, from] of Object.entries(files)) {
      mkdirSync(path.join(staging, path.dirname(rel)), { recursive: true });
      copyFileSync(from, path.join(staging, rel));
    }
    if (existsSync(final)) rmSync(final, { recursive: true, force: true });
    renameSync(staging, final);
    return final;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  const command = args.shift();
  const manifestFile = option(args, '--manifest', path.join(repoRoot, 'scripts', 'deps', 'docker-static-tools.json'));
  const outDir = option(args, '--out', path.join(repoRoot, '.cache', 'package-tools'));
  const cacheDir = option(args, '--cache', path.join(repoRoot, '.cache', 'downloads'));
  if (command === 'check-pins') {
    const results = await checkPins(manifestFile, { targets: args, log });
    for (const r of results) log(r.problem ? `NOT checked: ${r.name} for ${r.target}: ${r.problem}` : `checked: ${r.name} for ${r.target}`);
    const bad = results.filter((r) => r.problem).length;
    if (bad > 0) {
      log(`${bad} pin(s) did not match their download and stay unchecked, so packaging still refuses them: compare with upstream's published checksums, fix the pin and run check-pins again`);
      process.exitCode = 1;
    }
    return;
  }
  if (command !== 'tools' || args.length === 0) {
    process.stderr.write(
      'usage: package/cli.js tools TARGET… (darwin-x64 darwin-arm64 win32-x64 linux-x64) [--manifest FILE] [--out DIR] [--cache DIR]\n' +
        '       package/cli.js check-pins [TARGET…] [--manifest FILE]\n',
    );
    process.exitCode = 2;
    return;
  }
  for (const target of args) {
    const platform = target.split('-')[0]!;
    if (target === 'linux-x64') {
      const dir = debianTools(outDir);
      const launchers = writeAppNodeLaunchers(dir, platform);
      log(`linux-x64: ${dir} (launchers: ${launchers.map((f) => path.basename(f)).join(', ')})`);
      continue;
    }
    const manifest = readStaticToolsManifest(manifestFile);
    const done = await fetchStaticTools({ manifest, target, outDir, cacheDir, log });
    const launchers = writeAppNodeLaunchers(done.dir, platform).map((f) => path.basename(f));
    log(`${target}: ${done.tools.map((t) => `${t.name} ${t.version}`).join(', ')}${launchers.length ? `, launchers ${launchers.join(', ')}` : ''} in ${done.dir}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  log(`packaging failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
