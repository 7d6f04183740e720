// Docker Desktop hides its extensions' backend containers from `docker ps` and every other plain container list
// unless Settings → "Show Docker Extensions system containers" is on (its API proxy filters them; Compose reaches
// the engine through the unfiltered docker.sock.raw). The docker CLI talks to berthd directly, so berthd does the
// filtering itself: while the setting is off, a list without a label filter leaves out containers labelled
// com.docker.desktop.extension=true. A list that filters by label names what it wants (Compose's project lookups,
// `docker ps --filter label=com.docker.desktop.extension=true`, Berth's own), so it still sees them. The setting is
// the engine's, kept under the data root, so it holds for every client and across restarts. A raw socket
// (`--raw-host`, the VM's /var/run/docker.sock.raw) hides nothing, as Docker Desktop's raw socket is dockerd itself.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { atomicWriteJson, readJsonIfExists } from '../base/fsutil.js';
import type { Filters } from '../base/filters.js';

export const EXTENSION_LABEL = 'com.docker.desktop.extension';

export class ExtensionContainerVisibility {
  private show = false;

  constructor(private readonly file: string) {}

  static forDataRoot(dataRoot: string): ExtensionContainerVisibility {
    return new ExtensionContainerVisibility(path.join(dataRoot, 'berth', 'extension-containers.json'));
  }

  async load(): Promise<void> {
    this.show = (await readJsonIfExists<{ Show?: unknown }>(this.file))?.Show === true;
  }

  get shown(): boolean {
    return this.show;
  }

  async set(show: boolean): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await atomicWriteJson(this.file, { Show: show }, 0o600);
    this.show = show;
  }

  /** Whether a list with these filters leaves out a container with these labels. */
  hides(labels: Record<string, string> | null | undefined, filters: Filters): boolean {
    return !this.show && !filters.has('label') && labels?.[EXTENSION_LABEL] === 'true';
  }
}
