import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { Unavailable } from '../../base/errors.js';
import { CliOciRuntime } from './cli-runtime.js';
import { detectCgroupLayout, unifiedControllers, type CgroupLayout } from './cgroups.js';
import { run } from './run.js';

export interface RuntimeAvailability {
  name: 'runc' | 'crun';
  binary: string | undefined;
  version: string | undefined;
  /** Whether containers can run with it on this host's cgroup layout. */
  usable: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
}

export interface HostRuntimeInfo {
  cgroup: CgroupLayout;
  runtimes: RuntimeAvailability[];
  /** crun where it works (smaller and faster), else runc: what `--default-runtime` defaults to. */
  defaultRuntime: 'runc' | 'crun' | undefined;
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export async function detectRuntimes(cgroupRoot = '/sys/fs/cgroup'): Promise<HostRuntimeInfo> {
  const cgroup = detectCgroupLayout(cgroupRoot);
  const runtimes: RuntimeAvailability[] = [];
  for (const name of ['runc', 'crun'] as const) {
    const binary = await which(name);
    if (!binary) {
      runtimes.push({ name, binary, version: undefined, usable: false, reason: `${name} is not installed` });
      continue;
    }
    const v = await run(binary, ['--version']);
    const version = /version\s+(\S+)/.exec(v.stdout)?.[1];
    const a: RuntimeAvailability = { name, binary, version, usable: true };
    const controllers = unifiedControllers(cgroupRoot);
    if (name === 'crun' && cgroup === 'hybrid' && controllers.length > 0) {
      a.usable = false;
      a.reason =
        `crun ${version ?? ''} refuses this host's hybrid cgroup layout (v1 controllers plus a v2 tree at ` +
        `/sys/fs/cgroup/unified with controllers: ${controllers.join(' ')}): ` +
        '"cgroups in hybrid mode not supported, drop all controllers from cgroupv2"';
    }
    runtimes.push(a);
  }
  const usable = (n: string) => runtimes.some((r) => r.name === n && r.usable);
  const defaultRuntime = usable('crun') ? 'crun' : usable('runc') ? 'runc' : undefined;
  return { cgroup, runtimes, defaultRuntime };
}

/** A runtime by name with its state under `<execRoot>/runtime/<name>`, as dockerd keeps one root per runtime. */
export function createRuntime(info: RuntimeAvailability, stateRoot: string): CliOciRuntime {
  if (!info.binary || !info.usable) throw new Unavailable(info.reason ?? `${info.name} is not installed`);
  return new CliOciRuntime({ name: info.name, binary: info.binary, root: join(stateRoot, info.name) });
}
