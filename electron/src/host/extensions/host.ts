// Everything the dashboard host does for extensions against one engine: the manager (install/remove), each
// extension's UI server, and the ddClient calls a frame makes through the dashboard, checked per extension.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ExecChunk, ExecOutcome, ExecSpec, HostCall } from '../../shared/extension-bridge.js';
import type { CatalogResult, ExtensionRow, ExtensionsOverview } from '../../shared/extension-types.js';
import { readCatalog } from './catalog.js';
import { extensionContainersShown } from './container-visibility.js';
import { dockerCliFrom, type DockerCli } from './docker-cli.js';
import { execCollect, execStream, execTarget, type ExecContext } from './exec.js';
import { guestServicesFor, type GuestServices } from './guest-services.js';
import { EXTENSION_API_VERSION } from './labels.js';
import { ExtensionManager, type Progress } from './manager.js';
import { berthPaths } from '../paths.js';
import type { InstalledExtension } from './store.js';
import { ExtensionUiServers } from './ui-server.js';
import { viewOrigin, viewPartition, viewUrl } from './view-scheme.js';
import { serviceRequest, serviceSocket } from './vm-service.js';

export interface ExtensionsHostOptions {
  /** Berth's home, where extensions are installed. */
  home: string;
  cli?: DockerCli;
  /** The catalog's URL or file. */
  catalog?: string;
  /** Where backends' sockets are (default: in the Berth VM when `engine` is its socket, else on this machine). */
  guestServices?: GuestServices;
}

const ICON_TYPES: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

export class ExtensionsHost {
  readonly manager: ExtensionManager;
  readonly ui: ExtensionUiServers;
  private readonly ctx: ExecContext;
  private electronViews = false;
  private readonly removedListeners = new Set<(ext: InstalledExtension) => void>();

  constructor(private readonly docker: Docker, engine: string, private readonly opts: ExtensionsHostOptions) {
    const cli = opts.cli ?? dockerCliFrom();
    const guestServices = opts.guestServices
      ?? guestServicesFor(engine, berthPaths({ ...process.env, BERTH_HOME: opts.home }), path.join(opts.home, 'extensions'));
    this.manager = new ExtensionManager({ docker, engine, cli, home: opts.home, guestServices });
    this.ui = new ExtensionUiServers(this.manager.store);
    this.ctx = { manager: this.manager, cli, engine };
  }

  private async icon(ext: InstalledExtension): Promise<string | undefined> {
    if (!ext.metadata.icon) return undefined;
    const name = path.posix.basename(ext.metadata.icon);
    const type = ICON_TYPES[path.extname(name).toLowerCase()];
    if (!type) return undefined;
    const bytes = await readFile(path.join(this.manager.store.dirOf(ext), 'icon', name)).catch(() => undefined);
    return bytes && bytes.length < 512 * 1024 ? `data:${type};base64,${bytes.toString('base64')}` : undefined;
  }

  /** Settings → "Show extension containers" on the engine (undefined: the engine has no such setting). */
  showContainers(show?: boolean): Promise<boolean | undefined> {
    return extensionContainersShown(this.docker, show);
  }

  async overview(): Promise<ExtensionsOverview> {
    const state = await this.manager.store.read();
    const rows: ExtensionRow[] = await Promise.all(Object.values(state.extensions).map(async (ext) => {
      const icon = await this.icon(ext);
      const backend = await this.manager.backendState(ext).catch(() => undefined);
      const tab = ext.metadata.ui?.['dashboard-tab']?.title;
      return {
        id: ext.id, image: ext.image, version: ext.version, title: ext.title, vendor: ext.vendor, description: ext.description,
        hostBinaries: ext.hostBinaries,
        ...(icon ? { icon } : {}), ...(tab ? { tab } : {}), ...(backend ? { backend } : {}),
        ...(ext.composeProject ? { composeProject: ext.composeProject } : {}),
        ...(ext.devUiSource || ext.devDebug
          ? { dev: { ...(ext.devUiSource ? { uiSource: ext.devUiSource } : {}), ...(ext.devDebug ? { debug: true } : {}) } }
          : {}),
      };
    }));
    rows.sort((a, b) => a.title.localeCompare(b.title));
    return { enabled: state.enabled, extensions: rows, apiVersion: EXTENSION_API_VERSION };
  }

  install(image: string, progress: Progress): Promise<InstalledExtension> {
    return this.manager.install(image, progress);
  }

  async remove(id: string): Promise<void> {
    const ext = await this.manager.remove(id);
    await this.ui.stop(ext.id);
    for (const listener of this.removedListeners) listener(ext);
  }

  /**
   * Called after the dashboard removed an extension: the Electron shell clears its view's partition then, so a
   * reinstall starts with empty storage, as in Docker Desktop. Returns the unsubscribe.
   */
  onRemoved(listener: (ext: InstalledExtension) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /**
   * The Electron shell shows extension UIs as <webview>s on their own `berth-extension://` origin and partition
   * (view-scheme.ts) instead of loopback servers.
   */
  useElectronViews(): void {
    this.electronViews = true;
  }

  async open(id: string): Promise<{ url: string; origin: string; debug: boolean; partition?: string }> {
    const ext = await this.manager.get(id);
    if (this.electronViews) {
      // Under developer mode's ui-source the view's entry is the dev server's path; the scheme proxies it (view-scheme.ts).
      return { url: viewUrl(ext), origin: viewOrigin(ext.id), debug: Boolean(ext.devDebug), partition: viewPartition(ext.id) };
    }
    if (!this.ui.available) throw new Error('extension UIs are served only in browser mode and in the Electron shell');
    return { ...(await this.ui.open(ext)), debug: Boolean(ext.devDebug) };
  }

  catalog(): Promise<CatalogResult> {
    return readCatalog(this.opts.catalog);
  }

  async call(id: string, call: HostCall): Promise<unknown> {
    const ext = await this.manager.get(id);
    switch (call.kind) {
      case 'docker.listContainers':
        return this.docker.listContainers(call.options ?? {});
      case 'docker.listImages':
        return this.docker.listImages(call.options ?? {});
      case 'vm.request':
        return serviceRequest(this.manager.guestServices, serviceSocket(ext, this.manager.guestServices), call);
      default:
        throw new Error(`unknown extension call ${(call as { kind: string }).kind}`);
    }
  }

  async exec(id: string, spec: ExecSpec): Promise<ExecOutcome> {
    const ext = await this.manager.get(id);
    return execCollect(await execTarget(this.ctx, ext, spec), spec.cmd);
  }

  async execStream(id: string, spec: ExecSpec, splitLines: boolean, onChunk: (c: ExecChunk) => void, onEnd: () => void): Promise<{ close(): void }> {
    const ext = await this.manager.get(id);
    return execStream(await execTarget(this.ctx, ext, spec), splitLines, onChunk, onEnd);
  }

  async close(): Promise<void> {
    this.manager.close();
    await this.ui.closeAll();
  }
}
