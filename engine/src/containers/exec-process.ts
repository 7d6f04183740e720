import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_PATH, effectiveCapabilities, readUserDb, resolveUser, type Process, type Spec } from '../runtime/index.js';
import { bundleDir, type ContainerContext } from './context.js';
import { rootfsPaths } from './rootfs.js';
import type { ContainerRecord } from './types.js';

export interface ExecProcessConfig {
  entrypoint: string;
  args: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
  privileged: boolean;
  consoleSize?: [number, number] | undefined;
}

/** moby's ReplaceOrAppendEnvValues: later `KEY=v` (or bare `KEY`, which removes) override earlier ones. */
export function replaceOrAppendEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  const keyOf = (e: string): string => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
  for (const o of overrides) {
    const key = keyOf(o);
    const i = out.findIndex((e) => keyOf(e) === key);
    if (!o.includes('=')) {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = o;
    else out.push(o);
  }
  return out;
}

/** dockerd's exec environment: PATH, HOSTNAME and (with a TTY) TERM, then the container's env, then the exec's. */
export function execEnv(record: ContainerRecord, tty: boolean, extra: string[]): string[] {
  const daemonEnv = [DEFAULT_PATH, `HOSTNAME=${record.Config.Hostname}`, ...(tty ? ['TERM=xterm'] : [])];
  return replaceOrAppendEnv(replaceOrAppendEnv(daemonEnv, record.Config.Env), extra);
}

/**
 * The OCI process for an exec: the container's own process settings (capabilities, rlimits, no-new-privileges)
 * with the exec's command, env, cwd, user and TTY. `privileged` grants every capability; a non-root user gets
 * none effective, as execve would leave it.
 */
export async function execProcess(ctx: ContainerContext, record: ContainerRecord, e: ExecProcessConfig): Promise<Process> {
  const bundle = bundleDir(ctx, record.Id);
  const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as Spec;
  const p: Process = { ...spec.process, args: [e.entrypoint, ...e.args], env: e.env, cwd: e.workingDir || '/', terminal: e.tty };
  delete p.consoleSize;
  if (e.tty && e.consoleSize && e.consoleSize[0] > 0) p.consoleSize = { height: e.consoleSize[0], width: e.consoleSize[1] };
  if (e.user) {
    const db = await readUserDb(rootfsPaths(ctx.store.dir(record.Id), bundle).merged);
    const u = resolveUser(e.user, db, record.HostConfig.GroupAdd ?? []);
    p.user = { ...p.user, uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
  }
  const bounding = e.privileged ? effectiveCapabilities({ privileged: true, available: ctx.host.capabilityBound }) : (p.capabilities?.bounding ?? []);
  const root = p.user.uid === 0;
  p.capabilities = { bounding: [...bounding], effective: root ? [...bounding] : [], permitted: root ? [...bounding] : [] };
  return p;
}
