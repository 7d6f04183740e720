import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { Unavailable } from '../../base/errors.js';
import { CliOciRuntime } from './cli-runtime.js';
import { detectCgroupLayout, unifiedControllers, type CgroupLayout } from './cgroups.js';
import { run } from './run.js';

export interface RuntimeAvailability {
  name: 'runc' | 'crun';
  binary: string | undefined;
  /** Only read when a message needs it (an unusable crun). */
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

/**
 * Which runtimes are installed and usable here. No runtime is spawned unless its version is needed for a message:
 * each `--version` costs a process start, far from free under TCG in the VM.
 */
export async function detectRuntimes(cgroupRoot = '/sys/fs/cgroup'): Promise<HostRuntimeInfo> {
  const cgroup = detectCgroupLayout(cgroupRoot);
  const runtimes = await Promise.all(
    (['runc', 'crun'] as const).map(async (name): Promise<RuntimeAvailability> => {
      const binary = await which(name);
      if (!binary) return { name, binary, version: undefined, usable: false, reason: `${name} is not installed` };
      const controllers = name === 'crun' && cgroup === 'hybrid' ? unifiedControllers(cgroupRoot) : [];
      if (controllers.length === 0) return { name, binary, version: undefined, usable: true };
      const version = /version\s+(\S+)/.exec((await run(binary, ['--version'])).stdout)?.[1];
      const reason =
        `crun ${version ?? ''} refuses this host's hybrid cgroup layout (v1 controllers plus a v2 tree at ` +
        `/sys/fs/cgroup/unified with controllers: ${controllers.join(' ')}): ` +
        '"cgroups in hybrid mode not supported, drop all controllers from cgroupv2"';
      return { name, binary, version, usable: false, reason };
    }),
  );
  const usable = (n: string) => runtimes.some((r) => r.name === n && r.usable);
  const defaultRuntime = usable('crun') ? 'crun' : usable('runc') ? 'runc' : undefined;
  return { cgroup, runtimes, defaultRuntime };
}

/** A runtime by name with its state under `<execRoot>/runtime/<name>`, as dockerd keeps one root per runtime. */
export function createRuntime(info: RuntimeAvailability, stateRoot: string): CliOciRuntime {
  if (!info.binary || !info.usable) throw new Unavailable(info.reason ?? `${info.name} is not installed`);
  return new CliOciRuntime({ name: info.name, binary: info.binary, root: join(stateRoot, info.name) });
}
