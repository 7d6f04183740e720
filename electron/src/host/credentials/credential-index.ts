import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { credentialKey } from './server-url.js';

export interface IndexEntry {
  /** The server URL as the client gave it at `store` (what `list` answers). */
  serverURL: string;
  username: string;
}

interface IndexFile {
  version: 1;
  /** By credentialKey(serverURL). */
  registries: Record<string, IndexEntry>;
}

/**
 * The non-secret half of Berth's credentials: which registries have a secret in the keychain and under which user
 * name. `docker-credential-berth list`, `berth credentials ls` and Settings → Registries read it without unlocking
 * the keychain. Written atomically; the keychain item is written before its entry here and deleted before it too:
 * a crash between the two leaves an entry whose secret is gone, which reads as "not signed in", never a secret
 * nobody lists.
 */
export class CredentialIndex {
  constructor(readonly file: string) {}

  private read(): IndexFile {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, registries: {} };
      throw err;
    }
    const parsed = JSON.parse(text) as Partial<IndexFile>;
    return { version: 1, registries: parsed.registries && typeof parsed.registries === 'object' ? parsed.registries : {} };
  }

  entries(): IndexEntry[] {
    return Object.values(this.read().registries);
  }

  lookup(serverURL: string): IndexEntry | undefined {
    return this.read().registries[credentialKey(serverURL)];
  }

  put(serverURL: string, username: string): void {
    const data = this.read();
    data.registries[credentialKey(serverURL)] = { serverURL, username };
    writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }

  remove(serverURL: string): boolean {
    const data = this.read();
    const key = credentialKey(serverURL);
    if (!(key in data.registries)) return false;
    delete data.registries[key];
    writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
    return true;
  }
}
