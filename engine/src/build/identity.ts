/**
 * `--chown=user:group` as the classic builder resolves it: numbers as they are, names through the image's own
 * /etc/passwd and /etc/group; a lone user also names the group (`--chown=10` is 10:10).
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgument } from '../base/errors.js';
import type { Identity } from './copy.js';
import { resolveInRoot } from '../base/rooted-fs.js';

async function lookup(root: string, file: string, name: string, what: 'uid' | 'gid'): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const text = await readFile(await resolveInRoot(root, file), 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  const kind = what === 'uid' ? 'user' : 'group';
  throw new InvalidArgument(`unable to convert uid/gid chown string to host mapping: can't find ${what} for ${kind} ${name}: no such ${kind}: ${name}`);
}

export async function resolveIdentity(root: string, chown: string): Promise<Identity> {
  const [user = '', group] = chown.split(':');
  if (user === '') throw new InvalidArgument(`invalid chown string: ${chown}`);
  return {
    uid: await lookup(root, '/etc/passwd', user, 'uid'),
    gid: await lookup(root, '/etc/group', group ?? user, 'gid'),
  };
}
