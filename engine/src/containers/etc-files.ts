import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The per-container files bind-mounted over /etc/hostname, /etc/hosts and /etc/resolv.conf. */
export interface EtcFiles {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export function etcFilePaths(containerDir: string): EtcFiles {
  return {
    hostname: path.join(containerDir, 'hostname'),
    hosts: path.join(containerDir, 'hosts'),
    resolvConf: path.join(containerDir, 'resolv.conf'),
  };
}

export interface EtcContent {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

/**
 * Written at every start, before the container runs (so no running container has them bind-mounted): side by side
 * and without fsync, since a crash loses nothing the next start does not write again.
 */
export async function writeEtcFiles(files: EtcFiles, content: EtcContent): Promise<void> {
  await fs.mkdir(path.dirname(files.hostname), { recursive: true });
  await Promise.all([
    fs.writeFile(files.hostname, `${content.hostname}\n`),
    fs.writeFile(files.hosts, content.hosts),
    fs.writeFile(files.resolvConf, content.resolvConf),
  ]);
}
