import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VM_DAEMON_JSON_RESERVED } from '../../vm/vm-daemon-json.js';
import { loadVmSettings, vmDaemonJsonFile } from '../../vm/vm-settings.js';
import { splitEngineArgs } from '../settings-store.js';
import { settingsHandlers } from './settings.js';
import type { EngineControls } from './types.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-settings-'));
  file = path.join(dir, 'settings.json');
  await writeFile(file, JSON.stringify({ context: 'keep-me', vm: { cpus: 2, memoryMiB: 2048, engineArgs: ['--debug', '--insecure-registry=old.local:5000'] } }));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const handlers = (controls?: EngineControls) => settingsHandlers({ engine: 'unix:///x.sock', settingsPath: file, ...(controls ? { controls } : {}) });

describe('Berth settings through the contract', () => {
  it('reads what the VM layer reads, with mirrors and insecure registries taken from the engine flags', async () => {
    const s = (await handlers()['settings.get']()).berth!;
    expect(s).toMatchObject({ path: file, cpus: 2, memoryMiB: 2048, registryMirrors: [], insecureRegistries: ['old.local:5000'], startAtLogin: false, restartReasons: [], canRestart: false });
    expect(s.limits.maxCpus).toBe(os.cpus().length);
  });

  it('saves to the file the VM layer loads, keeps other keys and flags, and lists what needs a VM restart', async () => {
    const h = handlers();
    const after = await h['settings.save']({ cpus: 1, memoryMiB: 1024, registryMirrors: ['https://mirror.example'], insecureRegistries: ['new.local:5000'], sharedFolders: [dir], startAtLogin: true, keepEngineOnQuit: true });
    expect(after.berth).toMatchObject({ cpus: 1, memoryMiB: 1024, sharedFolders: [dir], registryMirrors: ['https://mirror.example'], insecureRegistries: ['new.local:5000'], startAtLogin: true, keepEngineOnQuit: true });
    expect(after.berth!.restartReasons).toEqual(['CPUs 2 → 1', 'memory 2048 MiB → 1024 MiB', 'engine flags changed']);
    const vm = loadVmSettings(file, {});
    expect(vm).toMatchObject({ cpus: 1, memoryMiB: 1024, shares: [dir] });
    expect(splitEngineArgs(vm.engineArgs)).toEqual({ rest: ['--debug'], registryMirrors: ['https://mirror.example'], insecureRegistries: ['new.local:5000'] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ context: 'keep-me', startAtLogin: true, keepEngineOnQuit: true });
  });

  it('refuses invalid values with the reason and leaves the file alone', async () => {
    const before = await readFile(file, 'utf8');
    await expect(handlers()['settings.save']({ cpus: 0, sharedFolders: [path.join(dir, 'nope')] })).rejects.toEqual({
      code: 'invalid',
      message: `CPUs must be a whole number from 1 to ${os.cpus().length} (this computer has ${os.cpus().length}). "${path.join(dir, 'nope')}" is not a folder on this computer`,
    });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('compares with the running VM when a controller knows it, offers the restart, and applies start at login', async () => {
    const running = loadVmSettings(file, {});
    const logins: boolean[] = [];
    const h = handlers({ restartEngine: async () => undefined, runningVmSettings: async () => ({ ...running, cpus: 4 }), setStartAtLogin: (on) => logins.push(on) });
    const s = (await h['settings.save']({ startAtLogin: true })).berth!;
    expect(s.canRestart).toBe(true);
    expect(s.restartReasons).toEqual(['CPUs 4 → 2']);
    expect(logins).toEqual([true]);
  });

  it('edits the VM engine\'s daemon.json, refuses the keys Berth sets itself, and a change needs a VM restart', async () => {
    const running = loadVmSettings(file, {});
    const daemonJsonPath = vmDaemonJsonFile(file);
    const h = handlers({ runningVmSettings: async () => running, vmDaemonJson: { path: daemonJsonPath, reserved: VM_DAEMON_JSON_RESERVED } });
    expect(await h['settings.get']()).toMatchObject({ daemonJsonPath, daemonJson: '{}\n' });
    const refused = await h['settings.checkDaemonJson']({ text: '{ "hosts": ["tcp://0.0.0.0:2375"], "registry-mirrors": ["https://m.example"] }' });
    expect(refused.errors).toEqual([
      '"hosts" is set by Berth, not here: Berth serves the engine on its own socket (~/.berth/run/docker.sock)',
      '"registry-mirrors" is set by Berth, not here: set them in Settings → Registry mirrors',
    ]);
    await expect(h['settings.saveDaemonJson']({ text: '{ "hosts": [] }' })).rejects.toMatchObject({ code: 'invalid' });
    expect(await h['settings.saveDaemonJson']({ text: '{ "labels": ["team=a"] }' })).toEqual({ restartNeeded: true });
    expect(await readFile(daemonJsonPath, 'utf8')).toBe('{ "labels": ["team=a"] }\n');
    expect((await h['settings.get']()).berth!.restartReasons).toEqual(['daemon.json changed']);
  });

  it('hands the dashboard\'s theme to the host that applies it, and refuses an unknown one', async () => {
    const themes: string[] = [];
    const h = handlers({ setTheme: (t) => themes.push(t) });
    await h['settings.theme']({ theme: 'dark' });
    await h['settings.theme']({ theme: 'system' });
    await expect(h['settings.theme']({ theme: 'sepia' as never })).rejects.toMatchObject({ code: 'invalid' });
    expect(themes).toEqual(['dark', 'system']);
    // A host that has no theme to set (browser mode) takes it and does nothing.
    await expect(handlers()['settings.theme']({ theme: 'light' })).resolves.toBeUndefined();
  });

  it('says how to get settings when the host keeps none', async () => {
    await expect(settingsHandlers({ engine: 'unix:///x.sock' })['settings.save']({ cpus: 2 })).rejects.toMatchObject({ code: 'not_implemented' });
    expect((await settingsHandlers({ engine: 'unix:///x.sock' })['settings.get']()).berth).toBeUndefined();
  });
});
