// Install, update, remove, list, enable/disable and validate, as Docker Desktop does them (DIGEST §3), against any
// Docker-API engine. Install copies files into a staging folder and starts the backend before anything is
// recorded; any failure undoes what was done, so a failed install leaves no files, containers or volumes.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { composeDown, composeStop, composeUp, projectContainers, type BackendTarget, type ComposeProject } from './backend.js';
import { backendModel, type BackendModelOptions } from './compose.js';
import type { DockerCli } from './docker-cli.js';
import { openImageFiles } from './extract.js';
import { hostGuestServices, type GuestServices } from './guest-services.js';
import { composeProjectName, extensionDirName, parseExtensionRef } from './ids.js';
import { ensureImage, imageLabels } from './image.js';
import { labelProblems, LABELS } from './labels.js';
import { hostBinaryPaths, hostOs, imagePath, parseMetadata, type ExtensionMetadata } from './metadata.js';
import { ExtensionStore, type InstalledExtension } from './store.js';

export interface ExtensionManagerOptions {
  docker: Docker;
  /** The engine address handed to the docker CLI (`unix:///…`). */
  engine: string;
  cli: DockerCli;
  /** Berth's home (`~/.berth`). */
  home: string;
  /**
   * Where backends' /run/guest-services folders live and how the host dials them: on the host by default, in the
   * Berth VM when the engine runs there (guest-services.ts).
   */
  guestServices?: GuestServices;
  platform?: NodeJS.Platform;
}

export type Progress = (line: string) => void;

export class ExtensionError extends Error {
  constructor(message: string, readonly code: 'not_found' | 'conflict' | 'invalid' | 'disabled' = 'invalid') {
    super(message);
  }

  /** As a contract error (an Error's message is not enumerable, so JSON would drop it). */
  toJSON(): { code: string; message: string } {
    return { code: this.code === 'disabled' ? 'forbidden' : this.code, message: this.message };
  }
}

export class ExtensionManager {
  readonly store: ExtensionStore;
  readonly guestServices: GuestServices;
  private readonly target: BackendTarget;

  constructor(private readonly opts: ExtensionManagerOptions) {
    this.store = new ExtensionStore(opts.home);
    this.target = { cli: opts.cli, engine: opts.engine, docker: opts.docker };
    this.guestServices = opts.guestServices ?? hostGuestServices(this.store.root);
  }

  guestServicesDir(ext: { dir: string }): string {
    return this.guestServices.dir(ext.dir);
  }

  /** Natively the engine's own socket stands in for the VM's docker.sock.raw. */
  private backendModelOptions(): BackendModelOptions {
    const { engine } = this.opts;
    return this.guestServices.where === 'host' && engine.startsWith('unix://') ? { engineSocket: engine.slice('unix://'.length) } : {};
  }

  /** Lets go of what the manager holds open (the VM's SSH connection). */
  close(): void {
    this.guestServices.close();
  }

  async list(): Promise<InstalledExtension[]> {
    return Object.values((await this.store.read()).extensions).sort((a, b) => a.id.localeCompare(b.id));
  }

  async enabled(): Promise<boolean> {
    return (await this.store.read()).enabled;
  }

  /** The installed extension named by ID or by image reference. */
  async get(nameOrImage: string): Promise<InstalledExtension> {
    const { extensions } = await this.store.read();
    const ext = extensions[nameOrImage] ?? extensions[parseExtensionRef(nameOrImage).id];
    if (!ext) throw new ExtensionError(`extension "${nameOrImage}" is not installed`, 'not_found');
    return ext;
  }

  private project(ext: Pick<InstalledExtension, 'composeProject' | 'dir' | 'image'>): ComposeProject | undefined {
    if (!ext.composeProject) return undefined;
    return { project: ext.composeProject, file: path.join(this.store.root, ext.dir, 'vm', 'docker-compose.yaml'), image: ext.image };
  }

  async install(image: string, progress: Progress = () => undefined, keep?: Pick<InstalledExtension, 'devUiSource' | 'devDebug'>): Promise<InstalledExtension> {
    const ref = parseExtensionRef(image);
    const state = await this.store.read();
    if (!state.enabled) throw new ExtensionError('Docker Extensions are disabled: run `berth extension enable` first', 'disabled');
    if (state.extensions[ref.id]) throw new ExtensionError(`extension "${ref.id}" is already installed: use update to change its version`, 'conflict');
    const { docker } = this.opts;
    if (await ensureImage(docker, ref.image)) progress(`Image not available locally, pulling ${ref.image}...`);
    const labels = await imageLabels(docker, ref.image);
    const problems = labelProblems(labels);
    if (problems.length) throw new ExtensionError(`cannot install ${ref.image}: ${problems.join('; ')}`);

    const dirName = extensionDirName(ref.id);
    const finalDir = path.join(this.store.root, dirName);
    const staging = path.join(this.store.root, `.installing-${randomBytes(4).toString('hex')}`);
    let project: ComposeProject | undefined;
    let started = false;
    try {
      progress(`Extracting metadata and files for the extension "${ref.image}"`);
      await mkdir(staging, { recursive: true, mode: 0o700 });
      const { metadata, hostBinaries, composeText } = await this.copyFiles(ref.image, staging);
      const title = metadata.ui?.['dashboard-tab']?.title ?? labels[LABELS.title] ?? ref.id;
      let services: string[] | undefined;
      if (metadata.vm) {
        progress('Installing service in Desktop VM...');
        progress('Setting additional compose attributes');
        const model = backendModel(metadata, ref.id, this.guestServicesDir({ dir: dirName }), composeText, this.backendModelOptions());
        await mkdir(path.join(staging, 'vm'), { recursive: true });
        await writeFile(path.join(staging, 'vm', 'docker-compose.yaml'), model.yaml);
        services = model.services;
      }
      await rm(finalDir, { recursive: true, force: true });
      await rename(staging, finalDir);
      // In the VM the engine creates the folder when it binds it.
      if (this.guestServices.where === 'host') await mkdir(path.join(finalDir, 'guest-services'), { recursive: true, mode: 0o700 });
      const ext: InstalledExtension = {
        id: ref.id, image: ref.image, version: ref.version, title,
        vendor: labels[LABELS.vendor] ?? '', description: labels[LABELS.description] ?? '', labels, metadata,
        dir: dirName, hostBinaries, installedAt: new Date().toISOString(),
        ...(services ? { composeProject: composeProjectName(ref.id), services } : {}),
        ...(keep?.devUiSource ? { devUiSource: keep.devUiSource } : {}),
        ...(keep?.devDebug ? { devDebug: true } : {}),
      };
      if (metadata.ui?.['dashboard-tab']) progress(`Installing Desktop extension UI for tab "${title}"...`);
      project = this.project(ext);
      if (project) {
        progress('Starting service in Desktop VM...');
        started = true;
        await composeUp(this.target, project);
        progress('Service in Desktop VM started');
      }
      await this.store.update((s) => { s.extensions[ext.id] = ext; });
      if (metadata.ui?.['dashboard-tab']) progress(`Extension UI tab "${title}" added.`);
      return ext;
    } catch (e) {
      progress(`Removing extension ${ref.image}...`);
      if (project && started) await composeDown(this.target, project).catch(() => undefined);
      if (started) await this.guestServices.remove(dirName).catch(() => undefined);
      await rm(staging, { recursive: true, force: true });
      await rm(finalDir, { recursive: true, force: true });
      throw e;
    }
  }

  private async copyFiles(image: string, dir: string): Promise<{ metadata: ExtensionMetadata; hostBinaries: string[]; composeText?: string }> {
    const files = await openImageFiles(this.opts.docker, image);
    try {
      const text = (await files.readFile('/metadata.json').catch((e: Error) => {
        throw new ExtensionError(`${image} is not a Docker extension: ${e.message}`);
      })).toString('utf8');
      const metadata = parseMetadata(text);
      await writeFile(path.join(dir, 'metadata.json'), text);
      if (metadata.icon) await files.copy(imagePath(metadata.icon), path.join(dir, 'icon', path.posix.basename(metadata.icon)));
      const tab = metadata.ui?.['dashboard-tab'];
      if (tab) await files.copy(imagePath(tab.root), path.join(dir, 'ui'));
      const hostBinaries: string[] = [];
      for (const p of hostBinaryPaths(metadata, hostOs(this.opts.platform))) {
        const name = path.posix.basename(p);
        await files.copy(imagePath(p), path.join(dir, 'host', name));
        hostBinaries.push(name);
      }
      const composeText = metadata.vm?.composefile
        ? (await files.readFile(imagePath(metadata.vm.composefile))).toString('utf8')
        : undefined;
      return { metadata, hostBinaries, ...(composeText !== undefined ? { composeText } : {}) };
    } finally {
      await files.close();
    }
  }

  /** Stops the backend, removes its containers, networks and volumes, then the files and binaries. */
  async remove(nameOrImage: string, progress: Progress = () => undefined): Promise<InstalledExtension> {
    const ext = await this.get(nameOrImage);
    const project = this.project(ext);
    if (project) {
      progress('Removing service in Desktop VM...');
      await composeDown(this.target, project);
      await this.guestServices.remove(ext.dir);
      progress('VM service socket forwarding stopped');
    }
    if (ext.metadata.ui?.['dashboard-tab']) progress(`Extension UI tab ${ext.title} removed`);
    await this.store.update((s) => { delete s.extensions[ext.id]; });
    await rm(path.join(this.store.root, ext.dir), { recursive: true, force: true });
    if (ext.hostBinaries.length) progress('Extension host binaries removed');
    return ext;
  }

  /** Docker Desktop's update: remove, then install the new image, keeping the ID (and the developer settings). */
  async update(image: string, progress: Progress = () => undefined): Promise<InstalledExtension> {
    const ref = parseExtensionRef(image);
    const old = await this.get(ref.id);
    await this.remove(old.id, progress);
    return this.install(ref.image, progress, old);
  }

  async setEnabled(on: boolean): Promise<void> {
    const state = await this.store.read();
    if (state.enabled === on) return;
    for (const ext of Object.values(state.extensions)) {
      const project = this.project(ext);
      if (project) await (on ? composeUp : composeStop)(this.target, project);
    }
    await this.store.update((s) => { s.enabled = on; });
  }

  async setDev(nameOrImage: string, change: { uiSource?: string | null; debug?: boolean | null }): Promise<InstalledExtension> {
    const ext = await this.get(nameOrImage);
    return this.store.update((s) => {
      const e = s.extensions[ext.id];
      if (!e) throw new ExtensionError(`extension "${nameOrImage}" is not installed`, 'not_found');
      if (change.uiSource === null) delete e.devUiSource;
      else if (change.uiSource !== undefined) e.devUiSource = change.uiSource;
      if (change.debug === null || change.debug === false) delete e.devDebug;
      else if (change.debug) e.devDebug = true;
      return e;
    });
  }

  /** Running/total backend containers (for ls' VM column). */
  async backendState(ext: InstalledExtension): Promise<{ running: number; total: number } | undefined> {
    if (!ext.composeProject) return undefined;
    const cs = await projectContainers(this.opts.docker, ext.composeProject);
    return { running: cs.filter((c) => c.state === 'running').length, total: cs.length };
  }

  /** The container of the first Compose service (where `vm.cli.exec` runs). */
  async firstServiceContainer(ext: InstalledExtension): Promise<string> {
    const first = ext.services?.[0];
    if (!ext.composeProject || !first) throw new ExtensionError(`extension "${ext.id}" has no backend`, 'not_found');
    const c = (await projectContainers(this.opts.docker, ext.composeProject)).find((x) => x.service === first && x.state === 'running');
    if (!c) throw new ExtensionError(`the backend of "${ext.id}" is not running (service ${first})`, 'not_found');
    return c.id;
  }

  /** Checks an image (labels and metadata.json) or a metadata.json file; resolves with the problems found. */
  async validate(target: string): Promise<string[]> {
    if (target.endsWith('.json')) {
      try {
        parseMetadata(await readFile(target, 'utf8'));
        return [];
      } catch (e) {
        return [(e as Error).message];
      }
    }
    const ref = parseExtensionRef(target);
    await ensureImage(this.opts.docker, ref.image);
    const problems = labelProblems(await imageLabels(this.opts.docker, ref.image), true);
    const files = await openImageFiles(this.opts.docker, ref.image);
    try {
      parseMetadata((await files.readFile('/metadata.json')).toString('utf8'));
    } catch (e) {
      problems.push((e as Error).message);
    } finally {
      await files.close();
    }
    return problems;
  }
}
