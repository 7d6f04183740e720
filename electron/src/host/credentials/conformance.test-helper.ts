// The one conformance suite every CredentialStore passes (memory, and each OS keychain where it runs).
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import type { CredentialStore } from './credential-store.js';

/**
 * Registers the suite in the calling `describe`. `open` gives a new store instance over the same backing store each
 * time (a new process would see the same secrets), so persistence is part of what is checked.
 */
export function credentialStoreConformance(open: () => CredentialStore): void {
  const used = new Set<string>();
  const account = (name: string) => {
    const a = `${name}-${randomBytes(4).toString('hex')}`;
    used.add(a);
    return a;
  };
  afterEach(async () => {
    const store = open();
    for (const a of used) await store.delete(a);
    used.clear();
  });

  it('answers undefined for an account it has no secret for', async () => {
    expect(await open().get(account('127.0.0.1:5999'))).toBeUndefined();
  });

  it('gives back what was stored, to a new instance too', async () => {
    const a = account('registry.example:5000');
    await open().set(a, 'p@ss wörd/"quoted"');
    expect(await open().get(a)).toBe('p@ss wörd/"quoted"');
  });

  it('replaces a secret stored again for the same account', async () => {
    const a = account('index.docker.io/v1');
    const store = open();
    await store.set(a, 'first');
    await store.set(a, 'second');
    expect(await open().get(a)).toBe('second');
  });

  it('keeps accounts apart, including ones that differ only by path', async () => {
    const a = account('ghcr.io/org-a');
    const b = a.replace('org-a', 'org-b');
    used.add(b);
    const store = open();
    await store.set(a, 'secret-a');
    await store.set(b, 'secret-b');
    expect(await open().get(a)).toBe('secret-a');
    expect(await open().get(b)).toBe('secret-b');
  });

  it('holds a long identity token whole', async () => {
    const a = account('login.example');
    const token = randomBytes(3000).toString('base64url');
    await open().set(a, token);
    expect(await open().get(a)).toBe(token);
  });

  it('deletes: true once, false when nothing is left, and the secret is gone', async () => {
    const a = account('gone.example');
    await open().set(a, 'x');
    expect(await open().delete(a)).toBe(true);
    expect(await open().get(a)).toBeUndefined();
    expect(await open().delete(a)).toBe(false);
  });
}
