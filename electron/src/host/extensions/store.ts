// Installed extensions under Berth's home (`~/.berth/extensions/`): one folder per extension with the files
// copied out of its image, and `state.json` listing them. Written atomically (temp file + rename), so a crash
// leaves the old list or the new one; read fresh on every call, so the CLI and a running dashboard agree.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExtensionMetadata } from './metadata.js';

export interface InstalledExtension {
  id: string;
  /** The image reference it was installed from (with tag). */
  image: string;
  version: string;
  title: string;
  vendor: string;
  description: string;
  labels: Record<string, string>;
  metadata: ExtensionMetadata;
  /** The folder under `extensions/` holding metadata.json, the icon, `ui/`, `host/` and `vm/`. */
  dir: string;
  /** File names of this OS's host binaries in `<dir>/host/`. */
  hostBinaries: string[];
  /** The backend's Compose project, when the extension has one. */
  composeProject?: string;
  /** The Compose services, first one first (`vm.cli.exec` runs in the first). */
  services?: string[];
  installedAt: string;
  /** `berth extension dev ui-source`: load the tab from this URL instead of the installed files. */
  devUiSource?: string;
  /** `berth extension dev debug`: open DevTools with the tab. */
  devDebug?: boolean;
}

export interface ExtensionsState {
  /** "Enable Docker Extensions": off refuses installs and stops backends. */
  enabled: boolean;
  extensions: Record<string, InstalledExtension>;
}

export class ExtensionStore {
  readonly root: string;
  private readonly file: string;

  constructor(home: string) {
    this.root = path.join(home, 'extensions');
    this.file = path.join(this.root, 'state.json');
  }

  dirOf(ext: Pick<InstalledExtension, 'dir'>): string {
    return path.join(this.root, ext.dir);
  }

  async read(): Promise<ExtensionsState> {
    return this.parse(() => readFile(this.file, 'utf8'));
  }

  /** For the Electron shell's `will-attach-webview`, which must decide before it returns. */
  readSync(): ExtensionsState {
    try {
      return this.parsed(readFileSync(this.file, 'utf8'));
    } catch (e) {
      return this.failed(e);
    }
  }

  private async parse(text: () => Promise<string>): Promise<ExtensionsState> {
    try {
      return this.parsed(await text());
    } catch (e) {
      return this.failed(e);
    }
  }

  private parsed(text: string): ExtensionsState {
    const parsed = JSON.parse(text) as Partial<ExtensionsState>;
    return { enabled: parsed.enabled ?? true, extensions: parsed.extensions ?? {} };
  }

  private failed(e: unknown): ExtensionsState {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { enabled: true, extensions: {} };
    throw new Error(`cannot read ${this.file}: ${(e as Error).message}`, { cause: e });
  }

  async write(state: ExtensionsState): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }

  /** Read, change and write back; the change returns what the caller wants. */
  async update<T>(change: (state: ExtensionsState) => T): Promise<T> {
    const state = await this.read();
    const out = change(state);
    await this.write(state);
    return out;
  }
}
