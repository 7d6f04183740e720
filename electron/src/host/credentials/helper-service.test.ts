import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialIndex } from './credential-index.js';
import { parseRequest, serveCredentialHelper, type HelperService } from './helper-service.js';
import { MemoryCredentialStore } from './memory-store.js';
import { RegistryCredentials } from './registry-credentials.js';

/** One request as the launcher sends it; what came back before the service closed the connection. */
function ask(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(request));
    c.on('data', (d: Buffer) => (reply += d));
    c.on('close', () => resolve(reply));
    c.on('error', reject);
  });
}

describe('parseRequest', () => {
  it('takes TOKEN, ACTION, a byte LENGTH, then exactly that many bytes', () => {
    expect(parseRequest(Buffer.from('t\nget\n3\nab'))).toBeUndefined();
    expect(parseRequest(Buffer.from('t\nget\n3\néa'))).toEqual({ token: 't', action: 'get', input: 'éa' });
    expect(parseRequest(Buffer.from('t\nlist\n0\n'))).toEqual({ token: 't', action: 'list', input: '' });
    expect(parseRequest(Buffer.from('t\nget\n1\nab'))).toBe('bad');
    expect(parseRequest(Buffer.from('t\nget\n-1\n'))).toBe('bad');
    expect(parseRequest(Buffer.from('t\nget'))).toBeUndefined();
  });
});

describe('serveCredentialHelper', () => {
  let run: string;
  let service: HelperService;
  let token: string;
  beforeEach(async () => {
    run = mkdtempSync(path.join(os.tmpdir(), 'berth-helper-service-'));
    const creds = new RegistryCredentials(new MemoryCredentialStore(), new CredentialIndex(path.join(run, 'credentials.json')));
    await creds.save('reg.example', 'ann', 'pw');
    service = await serveCredentialHelper({ run }, () => creds);
    token = readFileSync(service.file, 'utf8').trim().split(' ')[1]!;
  });
  afterEach(() => {
    service.close();
    rmSync(run, { recursive: true, force: true });
  });

  it('answers get and list in the helper protocol behind a header with the exit code', async () => {
    expect(readFileSync(service.file, 'utf8')).toBe(`${service.port} ${token}\n`);
    expect(await ask(service.port, `${token}\nget\n11\nreg.example`)).toBe('berth-credential-helper 0\n{"ServerURL":"reg.example","Username":"ann","Secret":"pw"}\n');
    expect(await ask(service.port, `${token}\nget\n5\nnope\n`)).toBe('berth-credential-helper 1\ncredentials not found in native keychain\n');
    expect(await ask(service.port, `${token}\nlist\n0\n`)).toBe('berth-credential-helper 0\n{"reg.example":"ann"}\n');
  });

  it('closes without a word on a wrong token, a write action or a malformed request (the launcher then runs Node)', async () => {
    expect(await ask(service.port, `${'0'.repeat(64)}\nget\n11\nreg.example`)).toBe('');
    expect(await ask(service.port, `${token}\nstore\n2\n{}`)).toBe('');
    expect(await ask(service.port, `${token}\nerase\n11\nreg.example`)).toBe('');
    expect(await ask(service.port, `${token}\nget\nx\n`)).toBe('');
  });

  it("close() removes its service file, but not one a later Berth process wrote", async () => {
    const other = await serveCredentialHelper({ run }, () => {
      throw new Error('unused');
    });
    service.close();
    expect(readFileSync(other.file, 'utf8')).toMatch(new RegExp(`^${other.port} [0-9a-f]{64}\\n$`));
    other.close();
    expect(() => readFileSync(other.file)).toThrow(/ENOENT/);
  });
});
