import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';

/** What Berth changed in ~/.docker/config.json, each with the value it replaced (null: the key was absent). */
export interface DockerConfigChanges {
  file: string;
  /** config.json existed before Berth's first change (its bytes are in backups/docker-config.original.json). */
  existed: boolean;
  /** The config dir existed before (uninstall removes it again when Berth made it and it is empty). */
  dirExisted: boolean;
  credsStore?: { previous: string | null };
  currentContext?: { previous: string | null };
  pluginsDir?: { dir: string; createdKey: boolean };
}

/** A link Berth made outside its home (e.g. /usr/local/bin/docker), removed by uninstall while it still points at `target`. */
export interface MadeLink {
  path: string;
  target: string;
}

export interface HostChanges {
  version: 1;
  dockerConfig?: DockerConfigChanges;
  links: MadeLink[];
}

/** ~/.berth/host-changes.json: the record uninstall works from, so it removes what Berth made and nothing else. */
export function readHostChanges(file: string): HostChanges {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<HostChanges>;
    return { version: 1, links: parsed.links ?? [], ...(parsed.dockerConfig ? { dockerConfig: parsed.dockerConfig } : {}) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, links: [] };
    throw err;
  }
}

export function writeHostChanges(file: string, changes: HostChanges): void {
  writeFileAtomic(file, `${JSON.stringify(changes, null, 2)}\n`);
}
