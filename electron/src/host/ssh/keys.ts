import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';

/**
 * Per-install SSH keys under ~/.berth/ssh: the client key the host logs in with, and the VM's host key, generated
 * here (ssh-keygen inside a TCG guest costs seconds per boot) and handed to the VM on its seed disk at each start.
 * The host key's public half is pinned by the client; nothing is baked into the shared image.
 */
export interface SshKeys {
  dir: string;
  clientPrivate: string;
  clientPublic: string;
  hostPrivate: string;
  hostPublic: string;
  /** The host key blob in SSH wire format, compared byte for byte on every connection. */
  hostKeyBlob: Buffer;
  /** known_hosts for the system ssh client (`berth ssh`), keyed on a fixed alias since the port changes per boot. */
  knownHostsFile: string;
  clientKeyFile: string;
}

export const HOST_KEY_ALIAS = 'berth-vm';

function generate(comment: string): { private: string; public: string } {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  return { private: pair.private, public: pair.public };
}

function keyPair(dir: string, name: string, comment: string): { private: string; public: string } {
  const priv = path.join(dir, name);
  const pub = `${priv}.pub`;
  if (!existsSync(priv) || !existsSync(pub)) {
    const pair = generate(comment);
    writeFileSync(priv, pair.private.endsWith('\n') ? pair.private : `${pair.private}\n`, { mode: 0o600 });
    writeFileSync(pub, `${pair.public.trim()}\n`, { mode: 0o644 });
  }
  return { private: readFileSync(priv, 'utf8'), public: readFileSync(pub, 'utf8').trim() };
}

export function publicKeyBlob(publicKey: string): Buffer {
  const parsed = ssh2.utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key.getPublicSSH();
}

export function ensureSshKeys(dir: string): SshKeys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const client = keyPair(dir, 'id_ed25519', 'berth-host');
  const host = keyPair(dir, 'ssh_host_ed25519_key', 'berth-vm');
  const knownHostsFile = path.join(dir, 'known_hosts');
  const [type, blob] = host.public.split(/\s+/);
  writeFileSync(knownHostsFile, `${HOST_KEY_ALIAS} ${type} ${blob}\n`, { mode: 0o644 });
  return {
    dir,
    clientPrivate: client.private,
    clientPublic: client.public,
    hostPrivate: host.private,
    hostPublic: host.public,
    hostKeyBlob: publicKeyBlob(host.public),
    knownHostsFile,
    clientKeyFile: path.join(dir, 'id_ed25519'),
  };
}
