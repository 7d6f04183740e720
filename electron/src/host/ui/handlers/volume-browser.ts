// Reading a volume's files through any Docker-API engine (berthd or dockerd), which have no "read a volume"
// endpoint: a helper container is created, never started, with the volume mounted read-only at /volume; its
// files are read with the archive API (GET /containers/{id}/archive) and the container is removed right after.
// The helper's image is a one-directory rootfs imported on demand (POST /images/create?fromSrc=-), so browsing
// never depends on an image the user may not have (busybox) or on the network.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { onJsonLines } from '../../json-lines.js';

export const HELPER_IMAGE = 'berth-volume-browser:1';
/** On the image and on every helper container: the Containers list hides containers carrying it. */
export const HELPER_LABEL = 'com.berth.volume-browser';
/** Which host process made a helper, so a sweep never removes another dashboard's helper mid-read. */
const OWNER_LABEL = 'com.berth.volume-browser.owner';
const MOUNT = '/volume';
/** A helper lives for one read; one older than this was left behind by a host that died mid-read. */
const STALE_AFTER_S = 5 * 60;

/** True for the helper containers, which are an implementation detail, not the user's containers. */
export function isHelperContainer(labels: Record<string, string> | null | undefined): boolean {
  return Boolean(labels && HELPER_LABEL in labels);
}

/** A tar holding only the mount point: the smallest rootfs an engine accepts, with /volume to mount on. */
async function rootfsTar(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'volume/', type: 'directory', mode: 0o755, mtime: new Date(0) });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Waits for an import's progress stream; the engine reports a failure in band after 200 OK. */
function importDone(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed: string | undefined;
    onJsonLines(stream, (obj) => {
      const m = obj as { error?: string; errorDetail?: { message?: string } };
      if (m.error || m.errorDetail) failed = m.errorDetail?.message ?? m.error;
    });
    stream.on('end', () => (failed ? reject(new Error(`could not create the volume browser image: ${failed}`)) : resolve()));
    stream.on('error', reject);
  });
}

const notFound = (e: unknown) => (e as { statusCode?: number }).statusCode === 404;

/** Dockerd's wording for a volume that does not exist. */
function noSuchVolume(name: string) {
  return { code: 'not_found', status: 404, message: `get ${name}: no such volume` };
}

export class VolumeBrowser {
  private readonly owner = randomBytes(6).toString('hex');
  private imageReady?: Promise<void>;
  private swept = false;

  constructor(private readonly docker: Docker) {}

  /** Runs `read(container, pathInContainer)` for a path inside the volume, on a helper removed afterwards. */
  async withVolumePath<T>(volume: string, volumePath: string, read: (c: Docker.Container, p: string) => Promise<T>): Promise<T> {
    // Mounting a missing named volume would create it: browsing must not.
    await this.docker.getVolume(volume).inspect().catch((e: unknown) => { throw notFound(e) ? noSuchVolume(volume) : e; });
    await this.ensureImage();
    if (!this.swept) { this.swept = true; void this.sweep(); }
    const helper = await this.docker.createContainer({
      Image: HELPER_IMAGE,
      // Never run; an engine still wants a command to create a container.
      Cmd: ['/berth-volume-browser'],
      Labels: { [HELPER_LABEL]: volume, [OWNER_LABEL]: this.owner },
      NetworkDisabled: true,
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: MOUNT, ReadOnly: true }] },
    });
    try {
      return await read(helper, inVolume(volumePath));
    } finally {
      // v: false — never take the user's volume with it.
      await helper.remove({ force: true, v: false }).catch(() => undefined);
    }
  }

  /** Imports the helper image unless it exists (someone may have pruned it since the last read). */
  private async ensureImage(): Promise<void> {
    const exists = await this.docker.getImage(HELPER_IMAGE).inspect().then(() => true, (e: unknown) => {
      if (notFound(e)) return false;
      throw e;
    });
    if (exists) return;
    this.imageReady ??= this.importImage().finally(() => { this.imageReady = undefined; });
    await this.imageReady;
  }

  private async importImage(): Promise<void> {
    const [repo, tag] = HELPER_IMAGE.split(':') as [string, string];
    const stream = (await this.docker.importImage(await rootfsTar() as never, {
      repo, tag,
      changes: [
        `LABEL ${HELPER_LABEL}="Berth: an empty image for reading volumes in the dashboard; safe to delete"`,
        'CMD ["/berth-volume-browser"]',
      ],
      message: 'Berth volume browser',
    } as never)) as unknown as Readable;
    await importDone(stream);
  }

  /** Removes helpers a host left behind when it died mid-read (once per host process, in the background). */
  private async sweep(): Promise<void> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } }).catch(() => []);
    const now = Date.now() / 1000;
    await Promise.all(list
      .filter((c) => c.Labels?.[OWNER_LABEL] !== this.owner && now - c.Created > STALE_AFTER_S)
      .map((c) => this.docker.getContainer(c.Id).remove({ force: true, v: false }).catch(() => undefined)));
  }
}

/** A path in the volume (`/`, `/sub/file`) as seen in the helper; `..` never climbs out of the volume. */
export function inVolume(p: string): string {
  const clean = path.normalize(`/${p}`);
  return clean === '/' ? MOUNT : `${MOUNT}${clean.replace(/\/$/, '')}`;
}

/** The volume-relative directory of a request path (`sub/` → `/sub`). */
export function volumeDir(p: string): string {
  const clean = path.normalize(`/${p}`);
  return clean.length > 1 ? clean.replace(/\/$/, '') : '/';
}
