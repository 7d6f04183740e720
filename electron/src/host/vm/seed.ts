import tar from 'tar-stream';
import { shellQuote } from '../ssh/ssh-link.js';

export interface SeedContents {
  hostPrivateKey: string;
  authorizedKeys: string;
  engineArgs: string[];
  hostname?: string;
  /** berthd's configuration file; the VM's init passes it as --config-file. */
  daemonJson?: string;
}

/**
 * The seed disk: a plain tar on a read-only virtio disk (serial berth-seed), written at every start. The VM's init
 * untars it into /run (tmpfs), so keys never touch the image or the data disk. tar needs no filesystem tools on the
 * host, which matters on macOS and Windows.
 */
export async function seedTar(seed: SeedContents): Promise<Buffer> {
  const pack = tar.pack();
  const env = [
    `BERTH_HOSTNAME=${shellQuote([seed.hostname ?? 'berth'])}`,
    `BERTHD_ARGS=${shellQuote([shellQuote(seed.engineArgs)])}`,
  ].join('\n');
  const files: [string, string, number][] = [
    ['ssh_host_ed25519_key', seed.hostPrivateKey, 0o600],
    ['authorized_keys', seed.authorizedKeys.trim() + '\n', 0o600],
    ['config.env', env + '\n', 0o644],
    ...(seed.daemonJson !== undefined ? [['daemon.json', seed.daemonJson, 0o644] as [string, string, number]] : []),
  ];
  for (const [name, content, mode] of files) {
    pack.entry({ name, mode, mtime: new Date(0) }, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
