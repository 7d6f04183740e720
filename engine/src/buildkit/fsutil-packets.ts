/**
 * fsutil's wire types (`fsutil.types.Packet`/`Stat`) as both ends of a DiffCopy see them: packet kinds, and the
 * Go `os.FileMode` bits a Stat's `mode` carries (not POSIX st_mode).
 */
export const PACKET = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;

export const FILE_MODE = {
  DIR: 2 ** 31,
  SYMLINK: 2 ** 27,
  DEVICE: 2 ** 26,
  PIPE: 2 ** 25,
  SOCKET: 2 ** 24,
  SETUID: 2 ** 23,
  SETGID: 2 ** 22,
  CHARDEV: 2 ** 21,
  STICKY: 2 ** 20,
} as const;

/** Bits that make an entry something other than a regular file. */
export const FILE_TYPE_BITS = FILE_MODE.DIR | FILE_MODE.SYMLINK | FILE_MODE.DEVICE | FILE_MODE.PIPE | FILE_MODE.SOCKET | FILE_MODE.CHARDEV;

export interface Stat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Nanoseconds since the epoch. */
  modTime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Record<string, Buffer>;
}

export interface Packet {
  type: number;
  stat: Stat | null;
  ID: number;
  data: Buffer;
}
