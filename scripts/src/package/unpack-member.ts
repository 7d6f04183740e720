import { copyFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';

/** `./docker/docker` and `docker/docker` are the same member. */
function normalise(name: string): string {
  return name.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * Writes the one file `member` of the `.tgz` or `.zip` at `archive` to `dest` (or copies `archive` itself for
 * `file`). Only that regular file is read out: nothing else in the archive is written anywhere, so no path in it can
 * reach outside `dest`. A missing member is an error naming the archive.
 */
export async function unpackMember(archive: string, kind: 'tgz' | 'zip' | 'file', member: string | undefined, dest: string): Promise<void> {
  if (kind === 'file') return copyFile(archive, dest);
  const want = normalise(member ?? '');
  const found = kind === 'tgz' ? await fromTgz(archive, want, dest) : await fromZip(archive, want, dest);
  if (!found) throw new Error(`${archive} has no file ${want}`);
}

async function fromTgz(archive: string, want: string, dest: string): Promise<boolean> {
  const extract = tar.extract();
  let found = false;
  extract.on('entry', (header, stream, next) => {
    if (!found && header.type === 'file' && normalise(header.name) === want) {
      found = true;
      pipeline(stream, createWriteStream(dest, { mode: 0o755 })).then(() => next(), next);
    } else {
      stream.on('end', () => next());
      stream.resume();
    }
  });
  await pipeline(createReadStream(archive), createGunzip(), extract);
  return found;
}

function fromZip(archive: string, want: string, dest: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    yauzl.open(archive, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${archive}`));
      const fail = (e: Error) => {
        zip.close();
        reject(e);
      };
      zip.on('error', fail);
      zip.on('end', () => resolve(false));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (normalise(entry.fileName) !== want || entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream?: Readable) => {
          if (e || !stream) return fail(e ?? new Error(`cannot read ${want} in ${archive}`));
          pipeline(stream, createWriteStream(dest, { mode: 0o755 })).then(() => {
            zip.close();
            resolve(true);
          }, fail);
        });
      });
      zip.readEntry();
    });
  });
}
