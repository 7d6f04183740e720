/**
 * Managed plugins (`docker plugin …`): create from a rootfs + config.json context, install from a registry,
 * inspect, list, configure, push, upgrade and remove, with dockerd's names, errors and events. berthd does not run
 * plugins (ARCHITECTURE.md says why): enabling one is refused plainly, so every plugin stays disabled, and that
 * state is what the record holds across restarts.
 */
import type { Readable } from 'node:stream';
import { Conflict, InvalidArgument, NotImplemented, SystemError } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import { generateId } from '../base/ids.js';
import type { Logger } from '../base/log.js';
import { ENGINE_VERSION } from '../base/version.js';
import { ContentStore } from '../content/store.js';
import type { EventsService } from '../events/events.js';
import type { ProgressSink } from '../images/progress.js';
import type { AuthConfig } from '../registry/auth.js';
import type { RegistryConfig } from '../registry/hosts.js';
import { canonicalString, familiarString, parseReference, withDefaultTag, type Reference } from '../registry/reference.js';
import { rename, rm } from 'node:fs/promises';
import { capabilities, decodePluginConfig, type PluginConfig } from './config.js';
import { buildPluginManifest, fetchPlugin, fetchPluginConfig, pushPlugin, type FetchedPlugin } from './distribution.js';
import { checkPrivileges, computePrivileges, type PluginPrivilege } from './privileges.js';
import { splitPluginContext, unpackPluginLayers } from './rootfs.js';
import { applySettings, initialSettings } from './settings.js';
import { PluginStore, pluginView, type PluginObject, type PluginRecord } from './store.js';
import path from 'node:path';

export interface PluginServiceOptions {
  dataRoot: string;
  registry: RegistryConfig;
  events: EventsService;
  log: Logger;
}

/** A remote reference as dockerd's `parseRemoteRef`: a digest keeps its tag aside (for the local name). */
export interface RemoteRef {
  ref: Reference;
  tag: string | undefined;
}

export function parseRemote(remote: string): RemoteRef {
  const ref = parseReference(remote);
  if (ref.digest !== undefined) {
    const { tag, ...rest } = ref;
    return { ref: rest, tag };
  }
  return { ref: withDefaultTag(ref), tag: undefined };
}

/** The local name a pull gives a plugin (dockerd's `getName`): the remote's, or `name` with `:latest` implied. */
export function localName(remote: RemoteRef, name: string): string {
  if (name === '') {
    const { digest: _digest, ...trimmed } = remote.ref;
    return remote.ref.digest !== undefined ? familiarString({ ...trimmed, tag: remote.tag ?? 'latest' }) : familiarString(remote.ref);
  }
  const local = parseReference(name);
  if (local.digest !== undefined) throw new SystemError('cannot use digest in plugin tag');
  return familiarString(withDefaultTag(local));
}

export class PluginService {
  readonly store: PluginStore;
  private readonly blobs: ContentStore;
  /** Plugin changes are rare; one at a time keeps blob collection from racing a create. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: PluginServiceOptions) {
    this.store = new PluginStore(opts.dataRoot);
    this.blobs = new ContentStore(path.join(this.store.root, 'storage'));
  }

  async init(): Promise<void> {
    await this.store.load(this.opts.log);
    await this.blobs.init();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  list(filters: Filters): PluginObject[] {
    for (const key of filters.keys()) {
      if (key !== 'enabled' && key !== 'capability') throw new InvalidArgument(`Invalid filter '${key}'`);
    }
    let enabled: boolean | undefined;
    for (const v of filters.get('enabled')) {
      if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw new InvalidArgument(`Invalid filter 'enabled=[${v}]'`);
      enabled = v === 'true' || v === '1';
    }
    const caps = filters.get('capability');
    return this.store
      .all()
      .map((r) => r.plugin)
      .filter((p) => enabled === undefined || p.Enabled === enabled)
      .filter((p) => caps.length === 0 || capabilities(p.Config).every((c) => caps.includes(c)))
      .map(pluginView);
  }

  inspect(refOrId: string): PluginObject {
    return pluginView(this.store.get(refOrId).plugin);
  }

  /**
   * `GET /plugins/privileges`. As dockerd, a remote that cannot be fetched answers an empty list (the pull that
   * follows reports why); a remote that is not a plugin is an error.
   */
  async privileges(remote: string, auth: AuthConfig | undefined): Promise<PluginPrivilege[]> {
    const ref = withDefaultTag(parseReference(remote));
    let config: PluginConfig;
    try {
      config = await fetchPluginConfig(this.opts.registry, ref, auth);
    } catch (err) {
      if (err instanceof SystemError && err.message.startsWith('Encountered remote')) {
        throw new SystemError(`did not find plugin config for specified reference ${canonicalString(ref)}`, { cause: err });
      }
      this.opts.log.warn({ remote, err: (err as Error).message }, 'plugin privileges: fetch failed, answering none as dockerd does');
      return [];
    }
    return computePrivileges(config);
  }

  /** `POST /plugins/pull`: fetch, check the accepted privileges, unpack, record. */
  pull(remote: RemoteRef, name: string, auth: AuthConfig | undefined, accepted: PluginPrivilege[], progress: ProgressSink): Promise<void> {
    return this.exclusive(async () => {
      if (this.store.nameTaken(name)) throw new InvalidArgument(`plugin ${name} already exists`);
      const fetched = await fetchPlugin(this.opts.registry, remote.ref, auth, this.blobs, progress);
      this.opts.events.publish('plugin', 'pull', familiarString(remote.ref), { name });
      checkPrivileges(computePrivileges(fetched.config), accepted);
      await this.install(name, fetched, canonicalString(remote.ref));
    }).finally(() => this.collectBlobs());
  }

  /** `POST /plugins/create?name=`: a tar of config.json and rootfs/. */
  create(name: string, context: Readable): Promise<void> {
    return this.exclusive(async () => {
      let ref: Reference;
      try {
        ref = parseReference(name);
      } catch (err) {
        throw new SystemError(`failed to parse reference ${name}: ${(err as Error).message}`, { cause: err });
      }
      if (ref.digest !== undefined) throw new SystemError('canonical references are not permitted');
      const full = familiarString(withDefaultTag(ref));
      if (this.store.nameTaken(full)) throw new Conflict(`plugin ${full} already exists`);
      const split = await splitPluginContext(context, this.blobs);
      if (split.config === undefined) throw new SystemError('config not found');
      const config = decodePluginConfig(split.config);
      config.rootfs = { diff_ids: [split.layer.digest], type: 'layers' };
      config.DockerVersion = ENGINE_VERSION;
      const configDigest = await this.blobs.put(Buffer.from(`${JSON.stringify(config)}\n`));
      const manifestDigest = await buildPluginManifest(this.blobs, configDigest, [split.layer.digest]);
      const rec = await this.install(full, { config, configDigest, manifestDigest, blobsums: [split.layer.digest] }, full);
      this.opts.events.publish('plugin', 'create', rec.plugin.Id, { name: full });
    }).finally(() => this.collectBlobs());
  }

  private async install(name: string, f: FetchedPlugin, reference: string): Promise<PluginRecord> {
    if (this.store.nameTaken(name)) throw new Conflict(`plugin ${name} already exists`);
    const scratch = await this.store.scratchDir();
    try {
      await unpackPluginLayers(this.blobs, f.blobsums, scratch);
      const id = generateId();
      const rec: PluginRecord = {
        plugin: { Id: id, Name: name, Enabled: false, Settings: initialSettings(f.config), PluginReference: reference, Config: f.config },
        config: f.configDigest,
        blobsums: f.blobsums,
        manifest: f.manifestDigest,
      };
      await this.store.prepareDir(id);
      await rename(scratch, this.store.rootfs(id));
      await this.store.save(rec);
      return rec;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * `POST /plugins/{name}/enable`. berthd has nothing that would call a plugin (no volume, network, IPAM,
   * authorization or log driver plugin clients), so it does not start one; it says so instead of pretending.
   */
  async enable(refOrId: string): Promise<never> {
    const p = this.store.get(refOrId).plugin;
    if (p.Enabled) throw new SystemError(`plugin ${p.Name} is already enabled`);
    const types = p.Config.Interface.Types ?? [];
    throw new NotImplemented(
      `plugin ${p.Name} cannot be enabled: berthd does not run managed plugins` +
        (types.length > 0 ? ` and has no client for its interface (${types.join(', ')})` : '') +
        '; it stays installed and disabled',
    );
  }

  async disable(refOrId: string): Promise<void> {
    const p = this.store.get(refOrId).plugin;
    // dockerd 20.10's words: errDisabled wrapped.
    if (!p.Enabled) throw new Conflict(`plugin is already disabled: plugin ${p.Name} found but disabled`);
  }

  remove(refOrId: string, force: boolean): Promise<void> {
    return this.exclusive(async () => {
      const rec = this.store.get(refOrId);
      if (!force && rec.plugin.Enabled) throw new Conflict(`plugin ${rec.plugin.Name} is enabled`);
      await this.store.remove(rec.plugin.Id);
      this.opts.events.publish('plugin', 'remove', rec.plugin.Id, { name: refOrId });
    }).finally(() => this.collectBlobs());
  }

  set(refOrId: string, args: string[]): Promise<void> {
    return this.exclusive(async () => {
      const rec = this.store.get(refOrId);
      if (rec.plugin.Enabled) throw new SystemError('cannot set on an active plugin, disable plugin before setting');
      const { config, settings } = applySettings(rec.plugin.Config, rec.plugin.Settings, args);
      await this.store.save({ ...rec, plugin: { ...rec.plugin, Config: config, Settings: settings } });
    });
  }

  async push(refOrId: string, auth: AuthConfig | undefined, progress: ProgressSink): Promise<void> {
    const rec = this.store.get(refOrId);
    let ref: Reference;
    try {
      ref = withDefaultTag(parseReference(rec.plugin.Name));
    } catch (err) {
      throw new SystemError(`plugin has invalid name ${rec.plugin.Name} for push: ${(err as Error).message}`);
    }
    await pushPlugin(this.opts.registry, ref, auth, this.blobs, { configDigest: rec.config, manifestDigest: rec.manifest, blobsums: rec.blobsums }, progress);
  }

  /** `POST /plugins/{name}/upgrade`: a disabled plugin gets the remote's config and rootfs; its settings stay. */
  upgrade(refOrId: string, remote: RemoteRef, auth: AuthConfig | undefined, accepted: PluginPrivilege[], progress: ProgressSink): Promise<void> {
    return this.exclusive(async () => {
      const rec = this.store.get(refOrId);
      if (rec.plugin.Enabled) throw new Conflict(`plugin must be disabled before upgrading: plugin ${rec.plugin.Name} is enabled`);
      const fetched = await fetchPlugin(this.opts.registry, remote.ref, auth, this.blobs, progress);
      this.opts.events.publish('plugin', 'pull', familiarString(remote.ref), { name: rec.plugin.Name });
      checkPrivileges(computePrivileges(fetched.config), accepted);
      const scratch = await this.store.scratchDir();
      try {
        await unpackPluginLayers(this.blobs, fetched.blobsums, scratch);
        const old = `${this.store.rootfs(rec.plugin.Id)}-old`;
        await rename(this.store.rootfs(rec.plugin.Id), old);
        await rename(scratch, this.store.rootfs(rec.plugin.Id));
        await this.store.save({
          plugin: { ...rec.plugin, Config: fetched.config, PluginReference: canonicalString(remote.ref) },
          config: fetched.configDigest,
          blobsums: fetched.blobsums,
          manifest: fetched.manifestDigest,
        });
        await rm(old, { recursive: true, force: true });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }).finally(() => this.collectBlobs());
  }

  /** Drops blobs no plugin refers to any more (a removed plugin's, a failed create's). */
  private collectBlobs(): Promise<void> {
    return this.exclusive(async () => {
      const keep = this.store.referencedBlobs();
      for (const b of await this.blobs.list()) if (!keep.has(b.digest)) await this.blobs.delete(b.digest);
    }).catch((err: unknown) => this.opts.log.warn({ err: (err as Error).message }, 'plugin blob collection failed'));
  }
}
