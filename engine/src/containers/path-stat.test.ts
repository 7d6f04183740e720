import { lstat, mkdtemp, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePathStat, pathStat } from './path-stat.js';

describe('pathStat', () => {
  it('uses Go FileMode bits and RFC3339Nano mtimes, encoded as standard base64 JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'path-stat-'));
    try {
      await writeFile(path.join(dir, 'f'), 'abc');
      await chmod(path.join(dir, 'f'), 0o4755);
      await symlink('f', path.join(dir, 'l'));
      await chmod(dir, 0o1777);
      const file = pathStat('f', await lstat(path.join(dir, 'f'), { bigint: true }), '');
      expect(file).toMatchObject({ name: 'f', size: 3, mode: 2 ** 23 + 0o755, linkTarget: '' });
      expect(file.mtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
      expect(pathStat('l', await lstat(path.join(dir, 'l'), { bigint: true }), '/f').mode).toBe(2 ** 27 + 0o777);
      expect(pathStat('d', await lstat(dir, { bigint: true }), '').mode).toBe(2 ** 31 + 2 ** 20 + 0o777);
      const decoded = JSON.parse(Buffer.from(encodePathStat(file), 'base64').toString('utf8')) as Record<string, unknown>;
      expect(Object.keys(decoded)).toEqual(['name', 'size', 'mode', 'mtime', 'linkTarget']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
