import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../base/fsutil.js';

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

export async function writeEtcFiles(files: EtcFiles, content: EtcContent): Promise<void> {
  await fs.mkdir(path.dirname(files.hostname), { recursive: true });
  await atomicWriteFile(files.hostname, `${content.hostname}\n`);
  await atomicWriteFile(files.hosts, content.hosts);
  await atomicWriteFile(files.resolvConf, content.resolvConf);
}
