/**
 * Installed plugins on disk, laid out as dockerd keeps them: `<data-root>/plugins/<id>/` holds `rootfs/` and
 * `plugin.json` (the API object plus the digests of its config, layers and manifest, written last and atomically:
 * the record makes the plugin exist); blobs live in a content store of their own under `plugins/storage`, so the
 * image store's garbage collection never sees them. A half-made plugin dir without a record (kill -9 mid-create)
 * and removals renamed to `.trash-*` are swept at the next start.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidArgument, NotFound } from '../base/errors.js';
import { atomicWriteJson, readJsonIfExists } from '../base/fsutil.js';
import type { Logger } from '../base/log.js';
import { familiarString, parseReference, withDefaultTag } from '../registry/reference.js';
import type { PluginConfig } from './config.js';
import type { PluginSettings } from './settings.js';

/** `GET /plugins/{name}/json`: the swagger's Plugin. */
export interface PluginObject {
  Id: string;
  Name: string;
  Enabled: boolean;
  Settings: PluginSettings;
  PluginReference?: string;
  Config: PluginConfig;
}

/**
 * The object as dockerd writes it: Go encodes struct fields in declaration order, which for these API types is
 * alphabetical, and `docker plugin inspect` prints the daemon's bytes as they come.
 */
export function pluginView(p: PluginObject): PluginObject {
  const c = p.Config;
  const config: PluginConfig = {
    Args: c.Args,
    Description: c.Description,
    ...(c.DockerVersion ? { DockerVersion: c.DockerVersion } : {}),
    Documentation: c.Documentation,
    Entrypoint: c.Entrypoint,
    Env: c.Env,
    Interface: c.Interface,
    IpcHost: c.IpcHost,
    Linux: c.Linux,
    Mounts: c.Mounts,
    Network: c.Network,
    PidHost: c.PidHost,
    PropagatedMount: c.PropagatedMount,
    User: c.User,
    WorkDir: c.WorkDir,
    ...(c.rootfs ? { rootfs: { diff_ids: c.rootfs.diff_ids, ...(c.rootfs.type ? { type: c.rootfs.type } : {}) } } : {}),
  };
  const s = p.Settings;
  return {
    Config: config,
    Enabled: p.Enabled,
    Id: p.Id,
    Name: p.Name,
    ...(p.PluginReference ? { PluginReference: p.PluginReference } : {}),
    Settings: { Args: s.Args, Devices: s.Devices, Env: s.Env, Mounts: s.Mounts },
  };
}

export interface PluginRecord {
  plugin: PluginObject;
  /** Digest of the config blob, of each layer blob (gzip), and of the manifest that names them. */
  config: string;
  blobsums: string[];
  manifest: string;
}

const FULL_ID = /^[a-f0-9]{64}$/;
const RECORD = 'plugin.json';

/** `plugin "x" not found` (404), as dockerd's errNotFound. */
export function pluginNotFound(name: string): NotFound {
  return new NotFound(`plugin ${JSON.stringify(name)} not found`);
}

export class PluginStore {
  readonly root: string;
  private readonly records = new Map<string, PluginRecord>();

  constructor(dataRoot: string) {
    this.root = path.join(dataRoot, 'plugins');
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  rootfs(id: string): string {
    return path.join(this.root, id, 'rootfs');
  }

  /** A fresh scratch dir under the plugin root (same filesystem, so a rootfs made there is renamed into place). */
  async scratchDir(): Promise<string> {
    await fs.mkdir(path.join(this.root, 'tmp'), { recursive: true, mode: 0o700 });
    return fs.mkdtemp(path.join(this.root, 'tmp', 'rootfs-'));
  }

  async load(log?: Logger): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    await fs.rm(path.join(this.root, 'tmp'), { recursive: true, force: true });
    for (const name of await fs.readdir(this.root)) {
      const dir = path.join(this.root, name);
      if (name.startsWith('.trash-')) {
        await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      if (!FULL_ID.test(name)) continue;
      try {
        const rec = await readJsonIfExists<PluginRecord>(path.join(dir, RECORD));
        if (rec) this.records.set(rec.plugin.Id, rec);
        else await fs.rm(dir, { recursive: true, force: true });
      } catch (err) {
        log?.warn({ plugin: name, err: (err as Error).message }, 'skipping unreadable plugin record');
      }
    }
  }

  all(): PluginRecord[] {
    return [...this.records.values()];
  }

  /** dockerd's `validateName`: `plugin x already exists` (409). */
  nameTaken(name: string): boolean {
    return this.all().some((r) => r.plugin.Name === name);
  }

  /** By full ID, by name (`:latest` implied), or by an unambiguous ID prefix, as dockerd's `resolvePluginID`. */
  get(refOrId: string): PluginRecord {
    if (FULL_ID.test(refOrId)) {
      const rec = this.records.get(refOrId);
      if (!rec) throw pluginNotFound(refOrId);
      return rec;
    }
    let name: string;
    try {
      const ref = parseReference(refOrId);
      if (ref.digest !== undefined) throw pluginNotFound(refOrId);
      name = familiarString(withDefaultTag(ref));
    } catch {
      throw pluginNotFound(refOrId);
    }
    const byName = this.all().find((r) => r.plugin.Name === name);
    if (byName) return byName;
    const byPrefix = this.all().filter((r) => r.plugin.Id.startsWith(refOrId));
    if (byPrefix.length > 1) throw new InvalidArgument(`multiple plugins found for ${JSON.stringify(refOrId)}`);
    if (byPrefix.length === 0) throw pluginNotFound(refOrId);
    return byPrefix[0]!;
  }

  /** The plugin's own dir, made before its rootfs is moved in (no record yet: swept at start if we die here). */
  async prepareDir(id: string): Promise<void> {
    await fs.mkdir(this.dir(id), { recursive: true, mode: 0o700 });
  }

  /** Writes the record (the commit point of a create, pull, set or state change). */
  async save(rec: PluginRecord): Promise<void> {
    await fs.mkdir(this.dir(rec.plugin.Id), { recursive: true, mode: 0o700 });
    await atomicWriteJson(path.join(this.dir(rec.plugin.Id), RECORD), rec, 0o600);
    this.records.set(rec.plugin.Id, rec);
  }

  /** Renames the plugin dir out of the way first, so a crash mid-delete never leaves a half-removed plugin. */
  async remove(id: string): Promise<void> {
    const trash = path.join(this.root, `.trash-${id}-${randomBytes(4).toString('hex')}`);
    await fs.rename(this.dir(id), trash);
    this.records.delete(id);
    await fs.rm(trash, { recursive: true, force: true });
  }

  /** Blob digests still referenced by some plugin (what the plugin blob store must keep). */
  referencedBlobs(): Set<string> {
    const keep = new Set<string>();
    for (const r of this.all()) {
      keep.add(r.config);
      keep.add(r.manifest);
      for (const b of r.blobsums) keep.add(b);
    }
    return keep;
  }
}
