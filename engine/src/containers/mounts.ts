import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../base/errors.js';
import { resolveInRoot } from '../base/rooted-fs.js';
import type { ContainerConfig, ContainerRecord, HostConfig, MountPoint } from './types.js';

/** What the containers layer needs from the volume service (engine/src/volumes). */
export interface VolumeProvider {
  /** Returns the named volume's mountpoint, creating it (or an anonymous one when name is undefined). */
  ensure(name: string | undefined, opts: { driver?: string; labels?: Record<string, string>; driverOpts?: Record<string, string> }): Promise<{ name: string; mountpoint: string; driver: string }>;
  /** Records that a container uses the volume (a used volume cannot be removed). */
  acquire(name: string, containerId: string): void;
  release(name: string, containerId: string): void;
  remove(name: string): Promise<void>;
  /** Fills an empty volume from the image's content at the mount path (dockerd's copy-up). */
  copyUp(sourceDir: string, volumeDir: string): Promise<void>;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function isVolumeName(src: string): boolean {
  return !src.startsWith('/') && !src.startsWith('.');
}

/** `-v src:dst[:opts]` and `-v dst` in dockerd's terms. */
function parseBind(spec: string): { source: string; destination: string; mode: string } {
  const parts = spec.split(':');
  if (parts.length === 1) return { source: '', destination: parts[0] as string, mode: '' };
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    // `/ctr:ro` is a destination with options only when the second part is not a path.
    if (!b.startsWith('/')) return { source: '', destination: a, mode: b };
    return { source: a, destination: b, mode: '' };
  }
  if (parts.length === 3) return { source: parts[0] as string, destination: parts[1] as string, mode: parts[2] as string };
  throw new InvalidArgument(`invalid volume specification: '${spec}'`);
}

function modeFlags(mode: string, spec: string): { rw: boolean; propagation: string } {
  let rw = true;
  let propagation = '';
  for (const o of mode.split(',').filter(Boolean)) {
    if (o === 'ro') rw = false;
    else if (o === 'rw') rw = true;
    else if (PROPAGATIONS.includes(o)) propagation = o;
    else if (o === 'z' || o === 'Z' || o === 'nocopy' || o === 'copy' || o === 'consistent' || o === 'cached' || o === 'delegated') continue;
    else throw new InvalidArgument(`invalid mode: ${o} (in volume specification '${spec}')`);
  }
  return { rw, propagation };
}

/** Go's filepath.IsLocal: relative, not empty, and never climbing out with `..`. */
function isLocalPath(p: string): boolean {
  if (p === '' || p.startsWith('/')) return false;
  const n = path.posix.normalize(p);
  return n !== '..' && !n.startsWith('../');
}

/**
 * Where a volume mount's bytes come from on the host: the volume, or the subpath inside it (symlinks clamped to the
 * volume), which must exist, as dockerd requires.
 */
export async function volumeMountSource(m: MountPoint): Promise<string> {
  if (!m.Subpath) return m.Source;
  const full = await resolveInRoot(m.Source, m.Subpath);
  const exists = await fs.stat(full).then(() => true, () => false);
  if (!exists) throw new InvalidArgument(`error while mounting volume '${m.Source}': cannot access path ${full}: no such file or directory`);
  return full;
}

/**
 * Resolves Binds, Mounts and the image's VOLUMEs into mount points, as dockerd does at create: a missing bind
 * source is created for `-v` but is an error for `--mount`; named and anonymous volumes come from the provider.
 */
export async function resolveMounts(
  containerId: string,
  config: ContainerConfig,
  host: HostConfig,
  volumes: VolumeProvider | undefined,
  lookup: (idOrName: string) => ContainerRecord,
): Promise<MountPoint[]> {
  const out = new Map<string, MountPoint>();
  const needVolumes = (): VolumeProvider => {
    if (!volumes) throw new InvalidArgument('volumes are not available in this engine');
    return volumes;
  };
  const addVolume = async (name: string | undefined, destination: string, rw: boolean, mode: string, labels?: Record<string, string>, driverOpts?: Record<string, string>, noCopy = false, subpath = '') => {
    const v = await needVolumes().ensure(name, { labels, driverOpts });
    out.set(destination, {
      Type: 'volume', Name: v.name, Source: v.mountpoint, Destination: destination, Driver: v.driver, Mode: mode, RW: rw,
      Propagation: '', ...(name === undefined ? { Anonymous: true } : {}), ...(noCopy ? { NoCopy: true } : {}),
      ...(subpath ? { Subpath: subpath } : {}),
    });
  };
  // `--volumes-from c[:ro|rw]`: the other container's mounts, at the same places, with its or the given mode.
  for (const spec of host.VolumesFrom ?? []) {
    const [ref = '', mode = ''] = spec.split(':');
    if (mode !== '' && mode !== 'ro' && mode !== 'rw') throw new InvalidArgument(`invalid mode for volumes-from: ${mode}`);
    const other = lookup(ref);
    for (const m of other.Mounts) {
      if (m.Type === 'tmpfs') continue;
      const { Anonymous: _anonymous, ...rest } = m;
      out.set(m.Destination, { ...rest, RW: mode === '' ? m.RW : mode === 'rw', Mode: mode || m.Mode });
    }
  }
  for (const spec of host.Binds ?? []) {
    const b = parseBind(spec);
    if (!b.destination.startsWith('/')) throw new InvalidArgument(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${b.destination}' mount path must be absolute`);
    const { rw, propagation } = modeFlags(b.mode, spec);
    if (b.source === '' || isVolumeName(b.source)) {
      await addVolume(b.source === '' ? undefined : b.source, b.destination, rw, b.mode, undefined, undefined, b.mode.split(',').includes('nocopy'));
      continue;
    }
    // `-v /host/path:/ctr` creates a missing host directory, as dockerd does; an existing file or socket (such as
    // `-v /var/run/docker.sock:/var/run/docker.sock`) is bound as it is (mkdir on it fails with EEXIST).
    if (!(await fs.stat(b.source).then(() => true, () => false))) await fs.mkdir(b.source, { recursive: true });
    out.set(b.destination, { Type: 'bind', Source: b.source, Destination: b.destination, Mode: b.mode, RW: rw, Propagation: propagation || 'rprivate' });
  }
  for (const m of host.Mounts ?? []) {
    if (!m.Target?.startsWith('/')) throw new InvalidArgument(`invalid mount config for type "${m.Type}": invalid mount path: '${m.Target}' mount path must be absolute`);
    if (m.Type === 'bind') {
      const src = m.Source ?? '';
      if (!src.startsWith('/')) throw new InvalidArgument(`invalid mount config for type "bind": invalid mount path: '${src}' mount path must be absolute`);
      const exists = await fs.stat(src).then(() => true, () => false);
      if (!exists && !m.BindOptions?.CreateMountpoint) throw new InvalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${src}`);
      if (!exists) await fs.mkdir(src, { recursive: true });
      out.set(m.Target, { Type: 'bind', Source: src, Destination: m.Target, Mode: '', RW: !m.ReadOnly, Propagation: m.BindOptions?.Propagation || 'rprivate' });
    } else if (m.Type === 'volume') {
      const subpath = m.VolumeOptions?.Subpath ?? '';
      if (subpath && !isLocalPath(subpath)) throw new InvalidArgument(`invalid mount config for type "volume": subpath must be a relative path within the volume`);
      await addVolume(m.Source || undefined, m.Target, !m.ReadOnly, '', m.VolumeOptions?.Labels, m.VolumeOptions?.DriverConfig?.Options, m.VolumeOptions?.NoCopy ?? false, subpath);
    } else if (m.Type === 'tmpfs') {
      out.set(m.Target, { Type: 'tmpfs', Source: '', Destination: m.Target, Mode: '', RW: !m.ReadOnly, Propagation: '' });
    } else {
      throw new InvalidArgument(`mount type ${m.Type} is not supported`);
    }
  }
  // The image's VOLUMEs that nothing else covers get anonymous volumes.
  for (const dest of Object.keys(config.Volumes ?? {})) {
    const d = path.posix.normalize(dest);
    if (!out.has(d) && volumes) await addVolume(undefined, d, true, '');
  }
  for (const m of out.values()) if (m.Type === 'volume' && m.Name && volumes) volumes.acquire(m.Name, containerId);
  return [...out.values()];
}
