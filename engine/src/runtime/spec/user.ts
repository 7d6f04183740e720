import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgument } from '../../base/errors.js';
import { edit } from './builder.js';
import type { SpecOpt } from './types.js';

/** The container's own /etc/passwd and /etc/group text (either may be missing in minimal images). */
export interface UserDb {
  passwd?: string;
  group?: string;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** From passwd; dockerd sets HOME to it when the image did not. */
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

const MAX_ID = 2147483647;

function parsePasswd(text = ''): PasswdEntry[] {
  return rows(text, 7).map((f) => ({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' }));
}

function parseGroup(text = ''): GroupEntry[] {
  return rows(text, 4).map((f) => ({
    name: f[0] ?? '',
    gid: Number(f[2]),
    members: (f[3] ?? '').split(',').filter(Boolean),
  }));
}

function rows(text: string, minFields: number): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= minFields - 1 && Number.isInteger(Number(f[2])));
}

function numeric(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (n > MAX_ID) throw new InvalidArgument(`uids and gids must be in range 0-${MAX_ID}`);
  return n;
}

/**
 * dockerd's `--user name|uid[:group|gid]` and `--group-add` resolution against the container's own files. Unknown
 * numeric ids are allowed (gid defaults to 0); unknown names are errors with dockerd's text.
 */
export function resolveUser(spec: string, db: UserDb, groupAdd: string[] = []): ResolvedUser {
  const users = parsePasswd(db.passwd);
  const groups = parseGroup(db.group);
  const [userPart = '', groupPart] = spec.split(':', 2);
  let uid: number;
  let gid = 0;
  let home = '/';
  let name: string;
  const byName = userPart === '' ? users.find((u) => u.uid === 0) : users.find((u) => u.name === userPart);
  const asNumber = userPart === '' ? 0 : numeric(userPart);
  const entry = asNumber !== undefined ? users.find((u) => u.uid === asNumber) ?? (userPart === '' ? byName : undefined) : byName;
  if (entry) {
    ({ uid, gid, home, name } = entry);
  } else if (asNumber !== undefined) {
    uid = asNumber;
    name = '';
  } else {
    throw new InvalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
  }
  if (groupPart !== undefined && groupPart !== '') {
    const g = numeric(groupPart);
    if (g !== undefined) gid = g;
    else {
      const found = groups.find((x) => x.name === groupPart);
      if (!found) throw new InvalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = found.gid;
    }
  }
  // Supplementary groups only come from /etc/group when no explicit group was asked for, as in dockerd.
  const supplementary = groupPart === undefined && name ? groups.filter((g) => g.members.includes(name)).map((g) => g.gid) : [];
  const added = groupAdd.map((g) => {
    const n = numeric(g);
    if (n !== undefined) return n;
    const found = groups.find((x) => x.name === g);
    if (!found) throw new InvalidArgument(`Unable to find group ${g}: no matching entries in group file`);
    return found.gid;
  });
  const additionalGids = [...new Set([...supplementary, ...added])].filter((g) => g !== gid);
  return { uid, gid, additionalGids, home: home || '/' };
}

/** Reads the container's /etc/passwd and /etc/group, refusing symlinks so a hostile image cannot point at host files. */
export async function readUserDb(rootfs: string): Promise<UserDb> {
  const read = async (rel: string): Promise<string | undefined> => {
    const path = join(rootfs, rel);
    try {
      if (!(await lstat(path)).isFile()) return undefined;
      return await readFile(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const db: UserDb = {};
  const passwd = await read('etc/passwd');
  const group = await read('etc/group');
  if (passwd !== undefined) db.passwd = passwd;
  if (group !== undefined) db.group = group;
  return db;
}

/** Sets uid/gid/groups, and HOME when the environment has none. */
export function withUser(user: ResolvedUser): SpecOpt {
  return edit((s) => {
    s.process.user = { uid: user.uid, gid: user.gid, additionalGids: [...user.additionalGids] };
    if (!s.process.env.some((e) => e.startsWith('HOME='))) s.process.env.push(`HOME=${user.home}`);
  });
}
