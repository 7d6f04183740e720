import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedTar } from './seed.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

describe('seedTar', () => {
  it('is a tar the VM extracts, with a config.env that a shell sources back to the same engine flags', async () => {
    const dir = mkdtempSync(path.join(testTmpdir(), 'berth-seed-'));
    const buf = await seedTar({
      hostPrivateKey: 'PRIVATE\n',
      authorizedKeys: 'ssh-ed25519 AAAA host',
      engineArgs: ['--insecure-registry', '10.0.2.2:5000', "--label=it's"],
    });
    expect(buf.length % 512).toBe(0);
    writeFileSync(path.join(dir, 'seed.tar'), buf);
    execFileSync('tar', ['-xf', 'seed.tar'], { cwd: dir });
    expect(readFileSync(path.join(dir, 'ssh_host_ed25519_key'), 'utf8')).toBe('PRIVATE\n');
    const args = execFileSync('bash', ['-c', '. ./config.env; eval "set -- $BERTHD_ARGS"; printf "%s\\n" "$@"'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(args.trim().split('\n')).toEqual(['--insecure-registry', '10.0.2.2:5000', "--label=it's"]);
    expect(() => readFileSync(path.join(dir, 'daemon.json'))).toThrow(/ENOENT/);
  });

  it('carries the user\'s daemon.json for berthd\'s --config-file', async () => {
    const dir = mkdtempSync(path.join(testTmpdir(), 'berth-seed-'));
    const daemonJson = '{ "labels": ["team=a"] }\n';
    writeFileSync(path.join(dir, 'seed.tar'), await seedTar({ hostPrivateKey: 'K\n', authorizedKeys: 'A', engineArgs: [], daemonJson }));
    execFileSync('tar', ['-xf', 'seed.tar'], { cwd: dir });
    expect(readFileSync(path.join(dir, 'daemon.json'), 'utf8')).toBe(daemonJson);
  });
});
