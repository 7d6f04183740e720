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
 * Run in the VM by bash, with the host path as $1 and the SSH channel as stdin/stdout: lazily unmounts what an
 * earlier host process left (its SFTP end went away with it), makes the mount point, runs sshfs in passive mode on
 * the channel and says `mounted` on stderr once the mount is in /proc/mounts (bash builtins only: under emulation
 * every process costs), then stays as long as sshfs does. stdout is the SFTP stream: nothing else may write to it.
 * A background job's stdin would be /dev/null without the explicit redirection.
 */
const MOUNT_SCRIPT = [
  'p=$1',
  'fusermount3 -u -z "$p" 2>/dev/null',
  'mkdir -p "$p" || exit 97',
  'sshfs -f -o passive,allow_other ":$p" "$p" <&0 &',
  'sshfs=$!',
  'm=${p//\\\\/\\\\134}; m=${m// /\\\\040}; m=${m//$\'\\t\'/\\\\011}; m=${m//$\'\\n\'/\\\\012}',
  'exec {nap}<> <(:)',
  'while kill -0 "$sshfs" 2>/dev/null; do',
  '  while read -r _ dir type _; do',
  '    if [ "$dir" = "$m" ] && [ "$type" = fuse.sshfs ]; then echo mounted >&2; wait "$sshfs"; exit; fi',
  '  done < /proc/mounts',
  '  read -rt 0.02 -u "$nap" || :',
  'done',
  'wait "$sshfs"',
].join('\n');

/**
 * Host directories mounted in the VM at the same path, so `docker run -v "$PWD":/src` works. sshfs runs in the VM
 * in passive mode (SFTP over its stdin/stdout); that stream is an SSH exec channel whose other end is the host's
 * own sftp-server, running as the user. No server listens anywhere and it works wherever OpenSSH's sftp-server
 * exists (macOS ships one; Linux has openssh-sftp-server). One exec channel per share: under emulation each
 * command run through sshd cost 100-300 ms of a VM start that waits for the shares.
 */
export async function mountShare(link: SshLink, hostPath: string, sftpServer: string, timeoutMs = 30_000): Promise<ShareHandle> {
  const channel = await link.execStream(shellQuote(['bash', '-c', MOUNT_SCRIPT, 'berth-share', hostPath]));
  const server: ChildProcess = spawn(sftpServer, ['-e'], { stdio: ['pipe', 'pipe', 'ignore'] });
  server.stdout?.pipe(channel);
  channel.pipe(server.stdin!);
  server.stdin?.on('error', () => undefined);
  const close = () => {
    channel.close();
    server.kill();
  };
  server.on('exit', () => channel.close());
  await new Promise<void>((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => {
      close();
      reject(new Error(`${hostPath} was not mounted in the VM within ${timeoutMs / 1000} s${said.trim() ? `: ${said.trim()}` : ''}`));
    }, timeoutMs);
    const onStderr = (d: Buffer) => {
      said += d.toString();
      if (!/^mounted$/m.test(said)) return;
      clearTimeout(timer);
      channel.stderr.off('data', onStderr);
      resolve();
    };
    channel.stderr.on('data', onStderr);
    channel.once('close', (code: number | null) => {
      server.kill();
      clearTimeout(timer);
      const why = said.replace(/^mounted$/m, '').trim();
      reject(new Error(`cannot mount ${hostPath} in the VM${code === 97 ? ' (cannot create it there)' : ''}: ${why || `exit ${code}`}`));
    });
  });
  return { path: hostPath, close };
}
