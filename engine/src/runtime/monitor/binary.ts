import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { access, constants, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Unavailable } from '../../base/errors.js';
import { run } from '../oci/run.js';

/** The monitor's C source. tsc does not copy it to dist/, so a built engine looks next to the sources too. */
export function monitorSourcePath(): string {
  const here = fileURLToPath(new URL('./berth-monitor.c', import.meta.url));
  return existsSync(here) ? here : here.replace(`${'/'}dist${'/'}`, '/src/');
}

/**
 * The berth-monitor binary: `BERTH_MONITOR` when set (the VM image ships a prebuilt one), else compiled once from
 * the source into `cacheDir` under a name that carries the source hash, so an edited source is rebuilt.
 */
export async function resolveMonitorBinary(cacheDir: string): Promise<string> {
  const fromEnv = process.env.BERTH_MONITOR;
  if (fromEnv) {
    await access(fromEnv, constants.X_OK).catch(() => {
      throw new Unavailable(`BERTH_MONITOR=${fromEnv} is not an executable`);
    });
    return fromEnv;
  }
  const source = monitorSourcePath();
  const hash = createHash('sha256').update(await readFile(source)).digest('hex').slice(0, 12);
  const binary = join(cacheDir, `berth-monitor-${hash}`);
  if (existsSync(binary)) return binary;
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  const r = await run('cc', ['-O2', '-Wall', '-o', tmp, source]);
  if (r.code !== 0) throw new Unavailable(`cannot build berth-monitor (needs a C compiler): ${r.stderr.trim()}`);
  await rename(tmp, binary);
  return binary;
}
