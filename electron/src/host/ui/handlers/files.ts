// Container files through the archive API (GET /containers/{id}/archive): a directory arrives as a tar of the
// whole subtree, of which the browser shows the direct children; a file arrives as a one-entry tar.
import type Docker from 'dockerode';
import path from 'node:path/posix';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { FileEntry } from '../../../shared/types.js';
import type { RequestHandlers } from './types.js';
import { VolumeBrowser, volumeDir } from './volume-browser.js';

const MAX_LISTING_BYTES = 256 * 1024 * 1024;
const MAX_FILE_BYTES = 32 * 1024 * 1024;

function kindOf(type: string | null | undefined): FileEntry['kind'] {
  if (type === 'file' || type === 'contiguous-file') return 'file';
  if (type === 'directory') return 'dir';
  if (type === 'symlink') return 'symlink';
  return 'other';
}

/** Direct children of the archived directory. The tar's first entry is the directory itself (`name/`). */
export async function listTar(stream: Readable, dirPath: string): Promise<FileEntry[]> {
  const extract = tar.extract();
  const out: FileEntry[] = [];
  let root: string | undefined;
  let seen = 0;
  extract.on('entry', (header, body, next) => {
    const name = header.name.replace(/\/$/, '');
    root ??= name.split('/')[0];
    const rel = name.split('/').slice(1);
    if (rel.length === 1) {
      out.push({
        name: rel[0]!,
        path: path.join(dirPath, rel[0]!),
        kind: kindOf(header.type),
        size: header.size ?? 0,
        mode: header.mode ?? 0,
        mtime: header.mtime ? header.mtime.getTime() : 0,
        ...(header.linkname ? { linkTarget: header.linkname } : {}),
      });
    }
    seen += header.size ?? 0;
    if (seen > MAX_LISTING_BYTES) {
      stream.destroy();
      extract.destroy(new Error('directory too large to list through the archive API'));
      return;
    }
    body.on('end', next);
    body.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
  return out.sort((a, b) => (a.kind === 'dir' ? 0 : 1) - (b.kind === 'dir' ? 0 : 1) || a.name.localeCompare(b.name));
}

export async function firstFile(stream: Readable): Promise<{ name: string; data: Buffer }> {
  const extract = tar.extract();
  let found: { name: string; data: Buffer } | undefined;
  extract.on('entry', (header, body, next) => {
    if (found || header.type !== 'file') { body.on('end', next); body.resume(); return; }
    if ((header.size ?? 0) > MAX_FILE_BYTES) {
      extract.destroy(new Error(`file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; use docker cp`));
      return;
    }
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => chunks.push(c as Buffer));
    body.on('end', () => { found = { name: path.basename(header.name), data: Buffer.concat(chunks) }; next(); });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.pipe(extract);
  });
  if (!found) throw { code: 'invalid', message: 'not a regular file' };
  return found;
}

async function archive(c: Docker.Container, p: string): Promise<Readable> {
  return (await c.getArchive({ path: p })) as unknown as Readable;
}

/** A directory's children: `dir/.` makes the engine archive the directory's contents under `./`. */
const contentsOf = (dir: string) => (dir === '/' ? '/.' : `${dir}/.`);

async function readOne(c: Docker.Container, p: string): Promise<{ name: string; base64: string; size: number }> {
  const { name, data } = await firstFile(await archive(c, p));
  return { name, base64: data.toString('base64'), size: data.length };
}

type FileRequests = Pick<RequestHandlers, 'containers.files' | 'containers.readFile' | 'volumes.files' | 'volumes.readFile'>;

export function fileHandlers(docker: Docker, volumes = new VolumeBrowser(docker)): FileRequests {
  return {
    async 'containers.files'({ id, path: p }) {
      const dir = path.normalize(p.startsWith('/') ? p : `/${p}`);
      return listTar(await archive(docker.getContainer(id), contentsOf(dir)), dir);
    },
    async 'containers.readFile'({ id, path: p }) {
      return readOne(docker.getContainer(id), p);
    },
    async 'volumes.files'({ name, path: p }) {
      const dir = volumeDir(p);
      return volumes.withVolumePath(name, dir, async (c, inHelper) => listTar(await archive(c, contentsOf(inHelper)), dir));
    },
    async 'volumes.readFile'({ name, path: p }) {
      return volumes.withVolumePath(name, p, readOne);
    },
  };
}
