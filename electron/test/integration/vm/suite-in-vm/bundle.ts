import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../vm-image.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * One file per entry (`<name>.mjs` in `outdir`) with everything it imports inside, `vitest` standing for
 * vitest-on-node-test.ts: what `node --test-reporter=<outdir>/reporter.mjs <outdir>/<suite>.mjs` runs where only
 * Node is (the VM). `extra` are more entries, named by their path in the output (e.g. a fixture the suite spawns,
 * which it then finds next to itself).
 */
export async function bundleSuite(suite: string, outdir: string, extra: Record<string, string> = {}): Promise<void> {
  await build({
    entryPoints: { suite: join(repoRoot, suite), reporter: join(here, 'json-lines-reporter.ts'), ...extra },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    alias: { vitest: join(here, 'vitest-on-node-test.ts') },
    logLevel: 'error',
  });
}
