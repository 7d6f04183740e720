import { promises as fs } from 'node:fs';
import { InvalidArgument } from '../base/errors.js';
import { run } from './exec.js';

const VALID_OPTS = ['type', 'device', 'o', 'size'];

/** The `local` driver's options, checked as dockerd checks them at create. */
export function validateLocalOpts(opts: Record<string, string> | null | undefined): Record<string, string> | null {
  if (!opts || Object.keys(opts).length === 0) return null;
  for (const key of Object.keys(opts)) {
    if (!VALID_OPTS.includes(key)) throw new InvalidArgument(`invalid option key: "${key}"`);
  }
  if (opts.size !== undefined && opts.type !== 'tmpfs') throw new InvalidArgument('quota size requested but no quota support');
  if ((opts.type ?? '') === '' && (opts.device ?? '') === '' && opts.o !== undefined) throw new InvalidArgument('missing required option: "device"');
  if ((opts.device ?? '') === '' && (opts.type ?? '') !== '' && opts.type !== 'tmpfs') throw new InvalidArgument('missing required option: "device"');
  return { ...opts };
}

/** Whether the path is a mount point right now (from the kernel's view, not from memory). */
export async function isMountPoint(dir: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const escaped = dir.replace(/ /g, '\\040');
  return info.split('\n').some((l) => l.split(' ')[4] === escaped);
}

/** Mounts an option-driven volume (`type=tmpfs`, `o=bind,device=/path`, nfs …) on its `_data` directory. */
export async function mountLocal(opts: Record<string, string>, target: string): Promise<void> {
  if (await isMountPoint(target)) return;
  const type = opts.type ?? '';
  const o = [opts.o ?? '', type === 'tmpfs' && opts.size ? `size=${opts.size}` : ''].filter(Boolean).join(',');
  const device = opts.device || (type === 'tmpfs' ? 'tmpfs' : '');
  const args = [...(type && type !== 'none' ? ['-t', type] : []), ...(o ? ['-o', o] : []), device, target];
  await run('mount', args).catch((err: Error) => {
    throw new InvalidArgument(`error while mounting volume '${target}': ${err.message}`);
  });
}

export async function unmountLocal(target: string): Promise<void> {
  if (await isMountPoint(target)) await run('umount', [target]);
}
