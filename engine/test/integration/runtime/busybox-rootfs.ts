import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';

const BUSYBOX = '/bin/busybox';

/**
 * A minimal root filesystem from Debian's busybox-static: the binary, a symlink per applet, and /etc files with
 * a root and an unprivileged user, so tests need no image.
 */
export async function buildBusyboxRootfs(dir: string): Promise<string> {
  for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/app']) await mkdir(join(dir, d), { recursive: true });
  await chmod(join(dir, 'tmp'), 0o1777);
  await copyFile(BUSYBOX, join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) await symlink('busybox', join(dir, 'bin', a));
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nwheel:x:10:root\napp:x:1000:\n');
  return dir;
}
