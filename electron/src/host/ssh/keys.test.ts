import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSshKeys, HOST_KEY_ALIAS } from './keys.js';

describe('ensureSshKeys', () => {
  it('generates the client and VM host keys once per install, private halves 0600', () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'berth-keys-')), 'ssh');
    const first = ensureSshKeys(dir);
    const again = ensureSshKeys(dir);
    expect(again.clientPublic).toBe(first.clientPublic);
    expect(again.hostKeyBlob.equals(first.hostKeyBlob)).toBe(true);
    expect(first.clientPublic).toMatch(/^ssh-ed25519 /);
    expect(first.hostPrivate).toContain('OPENSSH PRIVATE KEY');
    expect(statSync(path.join(dir, 'id_ed25519')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'ssh_host_ed25519_key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.knownHostsFile, 'utf8')).toMatch(new RegExp(`^${HOST_KEY_ALIAS} ssh-ed25519 `));
  });
});
