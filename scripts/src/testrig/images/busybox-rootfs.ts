import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dir, file, symlink, type LayerEntry } from './tar-layer.js';

/** Debian's busybox-static: one static binary, so the images run with no libc of their own. */
export const BUSYBOX_BINARY = '/bin/busybox';

export const TEST_USER = { name: 'berth', uid: 1000, gid: 1000, home: '/home/berth' } as const;

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  `${TEST_USER.name}:x:${TEST_USER.uid}:${TEST_USER.gid}:Berth test user:${TEST_USER.home}:/bin/sh`,
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');

export const GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  `${TEST_USER.name}:x:${TEST_USER.gid}:`,
  'nogroup:x:65534:',
  '',
].join('\n');

export const HELLO_TXT = 'hello from berth-test\n';

/** The applets this busybox build provides, sorted so the layer bytes do not depend on busybox's own order. */
export function busyboxApplets(): string[] {
  const res = spawnSync(BUSYBOX_BINARY, ['--list']);
  if (res.status !== 0) throw new Error(`${BUSYBOX_BINARY} --list failed (is busybox-static installed?)`);
  return res.stdout
    .toString()
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'busybox' && !s.includes('/'))
    .sort();
}

/** A minimal root filesystem: busybox with every applet linked in /bin, users, groups and a few known files. */
export function busyboxRootfs(): LayerEntry[] {
  const busybox = readFileSync(BUSYBOX_BINARY);
  return [
    dir('bin'),
    file('bin/busybox', busybox, { mode: 0o755 }),
    ...busyboxApplets().map((applet) => symlink(`bin/${applet}`, 'busybox')),
    dir('dev'),
    dir('etc'),
    file('etc/group', GROUP),
    file('etc/passwd', PASSWD),
    file('etc/berth-release', 'berth-test busybox\n'),
    dir('home'),
    dir(TEST_USER.home.slice(1), { uid: TEST_USER.uid, gid: TEST_USER.gid }),
    file('hello.txt', HELLO_TXT),
    dir('proc'),
    dir('root', { mode: 0o700 }),
    dir('sys'),
    dir('tmp', { mode: 0o1777 }),
    dir('usr'),
    dir('usr/bin'),
    symlink('usr/bin/env', '/bin/busybox'),
    dir('var'),
    dir('var/tmp', { mode: 0o1777 }),
  ];
}
