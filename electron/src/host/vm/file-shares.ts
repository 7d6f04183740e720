import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { SshLink } from '../ssh/ssh-link.js';
import { shellQuote } from '../ssh/ssh-link.js';

/** Where OpenSSH's sftp-server lives on the platforms we run on (Debian/Ubuntu, Fedora, macOS). */
const SFTP_SERVER_CANDIDATES = [
  '/usr/lib/openssh/sftp-server',
  '/usr/libexec/openssh/sftp-server',
  '/usr/libexec/sftp-server',
  'C:\\Windows\\System32\\OpenSSH\\sftp-server.exe',
];

export function findSftpServer(candidates = SFTP_SERVER_CANDIDATES): string | undefined {
  return candidates.find((c) => existsSync(c));
}

export interface ShareHandle {
  path: string;
  close(): void;
}

/**
 * Host directories mounted in the VM at the same path, so `docker run -v "$PWD":/src` works. sshfs runs in the VM
 * in passive mode (SFTP over its stdin/stdout); that stream is an SSH exec channel whose other end is the host's
 * own sftp-server, running as the user. No server listens anywhere and it works wherever OpenSSH's sftp-server
 * exists (macOS ships one; Linux has openssh-sftp-server).
 */
export async function mountShare(link: SshLink, hostPath: string, sftpServer: string): Promise<ShareHandle> {
  // A mount left by an earlier host process is dead (its SFTP end went away with it): lazily unmount first.
  await link.exec(['fusermount3', '-u', '-z', hostPath]).catch(() => undefined);
  const mkdir = await link.exec(['mkdir', '-p', hostPath]);
  if (mkdir.code !== 0) throw new Error(`cannot create ${hostPath} in the VM: ${mkdir.stderr.trim()}`);
  const channel = await link.execStream(
    shellQuote(['sshfs', '-f', '-o', 'passive,allow_other', `:${hostPath}`, hostPath]),
  );
  const server: ChildProcess = spawn(sftpServer, ['-e'], { stdio: ['pipe', 'pipe', 'ignore'] });
  server.stdout?.pipe(channel);
  channel.pipe(server.stdin!);
  server.stdin?.on('error', () => undefined);
  const close = () => {
    channel.close();
    server.kill();
  };
  channel.on('close', () => server.kill());
  server.on('exit', () => channel.close());
  await waitMounted(link, hostPath);
  return { path: hostPath, close };
}

async function waitMounted(link: SshLink, p: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await link.exec(['sh', '-c', `grep -q " $(printf %s ${shellQuote([p])} | sed 's/ /\\\\040/g') fuse.sshfs " /proc/mounts`]);
    if (r.code === 0) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`${p} did not get mounted in the VM`);
}
