// Files copied out of an extension image without running it (DIGEST §3 step 2): a container is created and never
// started, each path is read with GET /containers/{id}/archive and unpacked under a target folder, and the
// container is removed. Works against any Docker-API engine; unpacking never writes outside the target.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';

/** On the short-lived container, so a sweep (and the Containers list) can tell it is Berth's. */
export const EXTRACT_LABEL = 'com.berth.extension-files';

export interface ImageFiles {
  /** The bytes of one file in the image; rejects with a sentence when it is absent. */
  readFile(imagePath: string): Promise<Buffer>;
  /** Copies a file or folder of the image to `target` (which becomes that file or folder). */
  copy(imagePath: string, target: string): Promise<void>;
  close(): Promise<void>;
}

function inside(root: string, rel: string): string {
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) throw new Error(`refusing ${JSON.stringify(rel)}: it leaves the extension's folder`);
  return full;
}

/** Unpacks an archive of `name` (its entries start with `name/` or are `name`) so `name` lands at `target`. */
async function unpack(stream: Readable, name: string, target: string): Promise<void> {
  const extract = tar.extract();
  const root = path.dirname(target);
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      void (async () => {
        const rel = header.name.replace(/^\.\//, '');
        const stripped = rel === name || rel === `${name}/` ? '' : rel.startsWith(`${name}/`) ? rel.slice(name.length + 1) : undefined;
        if (stripped === undefined) throw new Error(`unexpected entry ${rel} in the archive of ${name}`);
        const dest = inside(target, stripped || '.');
        inside(root, path.relative(root, dest));
        if (header.type === 'directory') {
          await mkdir(dest, { recursive: true, mode: 0o755 });
          body.resume();
        } else if (header.type === 'file' || header.type === 'contiguous-file') {
          await mkdir(path.dirname(dest), { recursive: true });
          await pipeline(body, createWriteStream(dest, { mode: 0o600 }));
          // Keep the mode (host binaries are shipped with COPY --chmod=0755), without set-id bits.
          await chmod(dest, (header.mode ?? 0o644) & 0o777);
        } else if (header.type === 'symlink' && header.linkname) {
          // A link may only point inside the copied tree (a UI's asset alias), never at the host's files.
          inside(target, path.relative(target, path.resolve(path.dirname(dest), header.linkname)));
          if (path.isAbsolute(header.linkname)) throw new Error(`refusing absolute symlink ${rel}`);
          await mkdir(path.dirname(dest), { recursive: true });
          await symlink(header.linkname, dest);
          body.resume();
        } else {
          body.resume();
        }
      })().then(() => next(), (e: unknown) => { extract.destroy(e as Error); reject(e as Error); });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  stream.on('error', (e) => extract.destroy(e));
  stream.pipe(extract);
  await done;
}

async function readTarFile(stream: Readable, imagePath: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const extract = tar.extract();
  let found = false;
  extract.on('entry', (header, body, next) => {
    if (header.type === 'file' && !found) {
      found = true;
      body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
      body.on('end', next);
    } else {
      body.on('end', next);
      body.resume();
    }
  });
  await pipeline(stream, extract);
  if (!found) throw new Error(`${imagePath} in the image is not a file`);
  return Buffer.concat(chunks);
}

/** Opens an image's files: creates the never-started container. */
export async function openImageFiles(docker: Docker, image: string): Promise<ImageFiles> {
  const container = await docker.createContainer({
    Image: image,
    name: `berth-extension-files-${randomBytes(6).toString('hex')}`,
    // Never started: the command only has to satisfy create on images that name none.
    Entrypoint: ['/berth-never-run'],
    Cmd: [],
    Labels: { [EXTRACT_LABEL]: 'true' },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none' },
  });
  const archive = async (imagePath: string): Promise<Readable> => {
    try {
      return (await container.getArchive({ path: imagePath })) as unknown as Readable;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) throw new Error(`${imagePath} is not in the image`, { cause: e });
      throw e;
    }
  };
  return {
    readFile: async (imagePath) => readTarFile(await archive(imagePath), imagePath),
    copy: async (imagePath, target) => {
      await mkdir(path.dirname(target), { recursive: true });
      await unpack(await archive(imagePath), path.posix.basename(imagePath), target);
    },
    close: async () => { await container.remove({ force: true }).catch(() => undefined); },
  };
}
