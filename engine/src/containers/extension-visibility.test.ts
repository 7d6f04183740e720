import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Filters } from '../base/filters.js';
import { ExtensionContainerVisibility } from './extension-visibility.js';

describe('ExtensionContainerVisibility', () => {
  const dirs: string[] = [];
  afterEach(async () => { for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true }); });
  const ext = { 'com.docker.desktop.extension': 'true', 'com.docker.compose.project': 'x' };

  it('hides labelled containers from lists without a label filter while the setting is off', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'berth-vis-'));
    dirs.push(root);
    const v = ExtensionContainerVisibility.forDataRoot(root);
    await v.load();
    expect(v.hides(ext, Filters.parse(null))).toBe(true);
    expect(v.hides(ext, Filters.parse('{"name":["x"]}'))).toBe(true);
    expect(v.hides(ext, Filters.parse('{"label":["com.docker.compose.project=x"]}'))).toBe(false);
    expect(v.hides({ 'com.docker.desktop.extension': 'false' }, Filters.parse(null))).toBe(false);
    expect(v.hides({}, Filters.parse(null))).toBe(false);
  });

  it('keeps the setting under the data root across restarts', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'berth-vis-'));
    dirs.push(root);
    await ExtensionContainerVisibility.forDataRoot(root).set(true);
    expect(JSON.parse(await readFile(path.join(root, 'berth', 'extension-containers.json'), 'utf8'))).toEqual({ Show: true });
    const again = ExtensionContainerVisibility.forDataRoot(root);
    await again.load();
    expect(again.shown).toBe(true);
    expect(again.hides(ext, Filters.parse(null))).toBe(false);
  });
});
