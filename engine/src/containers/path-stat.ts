import type { BigIntStats } from 'node:fs';
import { formatRFC3339Nano } from '../base/timestamp.js';

/** `X-Docker-Container-Path-Stat`'s JSON (`container.PathStat`). */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode bits (io/fs): the type bits sit at the top of a uint32, not where POSIX st_mode keeps them.
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_DEVICE = 2 ** 26;
const GO_NAMED_PIPE = 2 ** 25;
const GO_SOCKET = 2 ** 24;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_CHAR_DEVICE = 2 ** 21;
const GO_STICKY = 2 ** 20;

/** POSIX st_mode to Go's FileMode, as os.Lstat reports it to dockerd. */
export function goFileMode(st: Pick<BigIntStats, 'mode'> & { isDirectory(): boolean; isSymbolicLink(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): number {
  const posix = Number(st.mode);
  let mode = posix & 0o777;
  if (st.isDirectory()) mode += GO_DIR;
  if (st.isSymbolicLink()) mode += GO_SYMLINK;
  if (st.isBlockDevice()) mode += GO_DEVICE;
  if (st.isCharacterDevice()) mode += GO_DEVICE + GO_CHAR_DEVICE;
  if (st.isFIFO()) mode += GO_NAMED_PIPE;
  if (st.isSocket()) mode += GO_SOCKET;
  if (posix & 0o4000) mode += GO_SETUID;
  if (posix & 0o2000) mode += GO_SETGID;
  if (posix & 0o1000) mode += GO_STICKY;
  return mode;
}

export function pathStat(name: string, st: BigIntStats, linkTarget: string): PathStat {
  return { name, size: Number(st.size), mode: goFileMode(st), mtime: formatRFC3339Nano(st.mtimeNs), linkTarget };
}

/** The header value: standard (not URL-safe) base64 of the JSON. */
export function encodePathStat(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}
