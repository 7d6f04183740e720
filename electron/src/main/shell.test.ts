import { chmodSync, mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventChannels } from '../shared/contract.js';
import type { EngineStatus } from '../shared/types.js';
import type { UiHost } from '../host/ui/ui-host.js';
import { ExtensionStore } from '../host/extensions/store.js';
import { viewPartition } from '../host/extensions/view-scheme.js';
import { berthPaths } from '../host/paths.js';
import { controlVm } from '../host/vm/engine-controller.js';
import { MockVmService } from '../host/vm/mock-vm-service.js';
import { CHANNEL } from './ipc-bridge.js';
import { fakeElectron } from './electron-stand-in.test-helper.js';
import { hostToolsOnStart } from './host-tools-on-start.js';
import { notificationFor, startShell, type ShellOptions } from './shell.js';
import { trayMenuTemplate } from './tray-menu.js';

function fakeHost() {
  const listeners = new Set<(ch: keyof EventChannels, v: unknown) => void>();
  let closed = false;
  const host = {
    endpoint: 'unix:///run/berth.sock',
    requests: {
      'engine.status': async () => ({ state: 'starting', endpoint: 'unix:///run/berth.sock', stage: 'boot' }),
      'images.list': async () => [],
    },
    streams: {},
    describe: () => undefined,
    subscribe: (l: never) => { listeners.add(l); return () => listeners.delete(l); },
    close: () => { closed = true; },
  } as unknown as UiHost;
  return { host, emit: (ch: keyof EventChannels, v: unknown) => listeners.forEach((l) => l(ch, v)), closed: () => closed };
}

let dir: string;
let options: (over?: Partial<ShellOptions>) => ShellOptions;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-shell-'));
  options = (over = {}) => ({
    engine: 'unix:///run/berth.sock', indexHtml: '/app/renderer/index.html', preload: '/app/preload/index.cjs', trayIcon: '/app/icon.png',
    stateFile: path.join(dir, 'window.json'), startAtLogin: true, keepEngineOnQuit: false, ...over,
  });
});
// Each test's folder goes with it (a run left one per test under /tmp).
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('Electron shell wiring', () => {
  it('quits at once when another Berth already runs', async () => {
    const f = fakeElectron({ singleInstance: false });
    expect(await startShell(f.e, options({ host: fakeHost().host }))).toBeUndefined();
    expect(f.app.quitCalls).toBe(1);
    expect(f.windows()).toHaveLength(0);
  });

  it('opens one isolated, sandboxed window without Node, and focuses it on a second launch', async () => {
    const f = fakeElectron();
    await startShell(f.e, options({ host: fakeHost().host }));
    expect(f.windows()).toHaveLength(1);
    const win = f.windows()[0]!;
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/app/preload/index.cjs' });
    expect(win.loaded).toBe('file:///app/renderer/index.html');
    expect(f.app.loginItems).toEqual([{ openAtLogin: true }]);
    f.app.emit('second-instance');
    expect(f.windows()).toHaveLength(1);
    expect(win.shown).toBe(1);
    expect(win.webContents.openHandler!({ url: 'http://localhost:8080' })).toEqual({ action: 'deny' });
    expect(f.opened).toEqual(['http://localhost:8080']);
  });

  it('shows extension tabs as checked <webview>s only when asked to, with the host switched to scheme views', async () => {
    const f = fakeElectron();
    await startShell(f.e, options({ host: fakeHost().host }));
    expect((f.windows()[0]!.options.webPreferences as Record<string, unknown>).webviewTag).toBe(false);

    const g = fakeElectron();
    const { host } = fakeHost();
    let schemeViews = false;
    const removed = new Set<(ext: { id: string }) => void>();
    Object.assign(host, { extensions: { manager: { store: new ExtensionStore(dir) }, useElectronViews: () => { schemeViews = true; }, onRemoved: (l: (ext: { id: string }) => void) => removed.add(l) } });
    await startShell(g.e, options({ host, extensionViews: { home: dir, preload: '/app/preload/extension.cjs', clientScript: '/app/renderer/extension-client/ddclient.js' } }));
    const win = g.windows()[0]!;
    expect((win.options.webPreferences as Record<string, unknown>).webviewTag).toBe(true);
    expect(schemeViews).toBe(true);
    // A webview the policy refuses (nothing is installed) never attaches.
    let prevented = false;
    win.webContents.emit('will-attach-webview', { preventDefault: () => { prevented = true; } }, {}, { src: 'https://example.com/' });
    expect(prevented).toBe(true);
    // The dashboard removed an extension: its partition's storage is cleared, so a reinstall starts clean.
    removed.forEach((l) => l({ id: 'acme/gone' }));
    await expect.poll(() => g.sessions.get(viewPartition('acme/gone'))?.cleared).toBe(1);
  });

  it('answers IPC from its own page only', async () => {
    const f = fakeElectron();
    await startShell(f.e, options({ host: fakeHost().host }));
    const contents = f.windows()[0]!.webContents;
    const msg = { t: 'req', id: 1, ch: 'images.list' };
    f.ipcMain.emit(CHANNEL, { sender: contents, senderFrame: { url: 'https://evil.example/' } }, msg);
    f.ipcMain.emit(CHANNEL, { sender: { id: 999 }, senderFrame: { url: 'file:///app/renderer/index.html' } }, msg);
    f.ipcMain.emit(CHANNEL, { sender: contents, senderFrame: { url: 'file:///app/renderer/index.html' } }, msg);
    await expect.poll(() => contents.sent).toEqual([[CHANNEL, { t: 'res', id: 1, ok: true, value: [] }]]);
  });

  it('remembers the window bounds', async () => {
    const f = fakeElectron();
    await startShell(f.e, options({ host: fakeHost().host }));
    f.windows()[0]!.emit('close');
    expect(JSON.parse(await readFile(path.join(dir, 'window.json'), 'utf8'))).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: false });
    const g = fakeElectron();
    await startShell(g.e, options({ host: fakeHost().host }));
    expect(g.windows()[0]!.options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700 });
  });

  it('keeps the tray menu on the engine status and notifies when the engine is ready or fails', async () => {
    const f = fakeElectron();
    const h = fakeHost();
    const calls: string[] = [];
    const controller = { start: async () => { calls.push('start'); }, stop: async () => { calls.push('stop'); }, restart: async () => { calls.push('restart'); } };
    await startShell(f.e, options({ host: h.host, controller }));
    const labels = () => (f.trays[0]!.menu as { label?: string; enabled?: boolean }[]).filter((i) => i.label).map((i) => `${i.label}${i.enabled === false ? ' (off)' : ''}`);
    expect(labels()).toEqual(['Engine starting… (boot) (off)', 'Open Dashboard', 'Start (off)', 'Stop (off)', 'Restart (off)', 'Quit Berth']);
    h.emit('engine.status', { state: 'running', endpoint: '', version: '0.1.0' });
    expect(labels()).toEqual(['Engine running (off)', 'Open Dashboard', 'Start (off)', 'Stop', 'Restart', 'Quit Berth']);
    h.emit('engine.status', { state: 'error', endpoint: '', reason: 'kernel panic' });
    expect(f.notifications).toEqual([{ title: 'Berth is running', body: 'Engine 0.1.0 is ready.' }, { title: 'Berth engine error', body: 'kernel panic' }]);
    h.emit('work', { kind: 'pull', ref: 'busybox:latest', ok: true });
    h.emit('work', { kind: 'push', ref: 'registry.local/app:1', ok: false, message: 'unauthorized: authentication required' });
    expect(f.notifications.slice(2)).toEqual([
      { title: 'Pulled busybox:latest', body: 'Pull finished.' },
      { title: 'Push of registry.local/app:1 failed', body: 'unauthorized: authentication required' },
    ]);
    const restart = (f.trays[0]!.menu as { label?: string; click?: () => void }[]).find((i) => i.label === 'Restart')!;
    restart.click!();
    await expect.poll(() => calls).toEqual(['restart']);
  });

  it('stops the engine on quit unless the user keeps it running', async () => {
    for (const keep of [false, true]) {
      const f = fakeElectron();
      const h = fakeHost();
      const calls: string[] = [];
      const controller = { start: async () => undefined, stop: async () => { calls.push('stop'); }, restart: async () => undefined };
      const shell = await startShell(f.e, options({ host: h.host, controller, keepEngineOnQuit: keep }));
      let prevented = false;
      f.app.emit('before-quit', { preventDefault: () => { prevented = true; } });
      await shell!.quit();
      expect(prevented).toBe(true);
      expect(calls).toEqual(keep ? [] : ['stop']);
      expect(f.app.exitCodes).toEqual([0]);
      expect(h.closed()).toBe(true);
    }
  });

  it('keeps the engine running on quit when the saved settings say so, and lets go of it instead', async () => {
    const settingsFile = path.join(dir, 'keep-settings.json');
    for (const keep of [false, true]) {
      await writeFile(settingsFile, JSON.stringify({ keepEngineOnQuit: keep }));
      const f = fakeElectron();
      const h = fakeHost();
      const calls: string[] = [];
      const controller = {
        start: async () => undefined, restart: async () => undefined,
        stop: async () => { calls.push('stop'); }, detach: async () => { calls.push('detach'); },
      };
      const shell = await startShell(f.e, options({ host: h.host, controller, settingsFile }));
      await shell!.quit();
      expect(calls).toEqual([keep ? 'detach' : 'stop']);
    }
  });
});

describe('Electron shell running the Berth VM', () => {
  async function withVm(mock: ConstructorParameters<typeof MockVmService>[0] = {}) {
    const paths = berthPaths({ BERTH_HOME: dir });
    await writeFile(paths.settings, JSON.stringify({ vm: { cpus: 2, shares: [] } }));
    const service = new MockVmService({ stageMs: 5, ...mock });
    const vm = controlVm(service, paths);
    const f = fakeElectron();
    const shell = await startShell(f.e, options({ engine: `unix://${path.join(dir, 'no-engine.sock')}`, vm, settingsFile: paths.settings }));
    const contents = f.windows()[0]!.webContents;
    let id = 0;
    const ask = async (ch: string, args?: unknown) => {
      const n = ++id;
      f.ipcMain.emit(CHANNEL, { sender: contents, senderFrame: { url: 'file:///app/renderer/index.html' } }, { t: 'req', id: n, ch, args });
      await expect.poll(() => contents.sent.find(([, m]) => (m as { t: string; id?: number }).t === 'res' && (m as { id: number }).id === n)).toBeDefined();
      return contents.sent.find(([, m]) => (m as { t: string; id?: number }).t === 'res' && (m as { id: number }).id === n)![1] as { ok: boolean; value?: unknown; error?: { message: string; hint?: string } };
    };
    const labels = () => (f.trays[0]!.menu as { label?: string }[]).map((i) => i.label).filter(Boolean);
    return { f, paths, service, vm, shell: shell!, ask, labels };
  }

  it('shows the VM\'s start stages in the tray, and its failure with the reason', async () => {
    const { f, vm, labels, shell } = await withVm({ failAt: { stage: 'ssh', code: 'timeout' } });
    const stages = new Set<string>();
    vm.feed.on('change', () => stages.add(labels()[0]!));
    await expect(vm.start()).rejects.toThrow(/mock failure at ssh/);
    expect([...stages]).toEqual(expect.arrayContaining(['Engine starting… (Booting the VM)', 'Engine starting… (Waiting for the VM (SSH))']));
    await expect.poll(() => labels().slice(0, 2)).toEqual(['Engine error', 'The Berth VM failed while waiting for the VM (SSH): mock failure at ssh']);
    expect(f.notifications.at(-1)).toEqual({ title: 'Berth engine error', body: 'The Berth VM failed while waiting for the VM (SSH): mock failure at ssh' });
    await shell.quit();
  });

  it('answers factory reset, running VM settings and restart through the contract', async () => {
    const { ask, vm, service, paths, shell } = await withVm();
    await vm.start();
    const plan = await ask('troubleshoot.resetPlan');
    expect(plan.value).toEqual({ deletes: [path.join(paths.vm, 'data.qcow2'), path.join(paths.home, 'ssh'), path.join(paths.vm, 'boot-snapshots'), paths.logs] });
    const saved = await ask('settings.save', { cpus: 1 });
    expect(saved.value).toMatchObject({ berth: { cpus: 1, canRestart: true, restartReasons: ['CPUs 2 → 1'] } });
    expect((await ask('engine.restart')).ok).toBe(true);
    expect((await ask('settings.get')).value).toMatchObject({ berth: { restartReasons: [] } });
    expect((await ask('troubleshoot.reset')).ok).toBe(true);
    expect(service.backend.calls).toEqual(['start', 'stop', 'start', 'stop', 'start']);
    expect((await ask('troubleshoot.logs', { source: 'engine', tail: 1 })).value).toEqual({ lines: ['API listening on /run/berth/berthd.sock'] });
    await shell.quit();
    expect(service.backend.calls.at(-1)).toBe('stop');
  });

  it('makes the dashboard\'s theme the native theme, so extension views\' prefers-color-scheme follows it', async () => {
    const { f, ask, shell } = await withVm();
    expect((await ask('settings.theme', { theme: 'dark' })).ok).toBe(true);
    expect(f.nativeTheme.themeSource).toBe('dark');
    expect((await ask('settings.theme', { theme: 'system' })).ok).toBe(true);
    expect(f.nativeTheme.themeSource).toBe('system');
    expect((await ask('settings.theme', { theme: 'sepia' })).ok).toBe(false);
    expect(f.nativeTheme.themeSource).toBe('system');
    await shell.quit();
  });
});

describe('Electron shell setting up the host tools, as berth start does', () => {
  /** A packaged app's <resources>/tools, with programs standing in for Docker's binaries. */
  function bundledTools(): string {
    const tools = path.join(dir, 'resources', 'tools');
    for (const rel of ['bin/docker', 'bin/docker-credential-berth', 'cli-plugins/docker-compose', 'cli-plugins/docker-buildx']) {
      mkdirSync(path.dirname(path.join(tools, rel)), { recursive: true });
      writeFileSync(path.join(tools, rel), `#!/bin/sh\n[ "$1" = docker-cli-plugin-metadata ] && echo '{"SchemaVersion":"0.1.0","Vendor":"t","Version":"1.0.0"}'\n`);
      chmodSync(path.join(tools, rel), 0o755);
    }
    return tools;
  }

  it('links the tools into ~/.berth/bin, sets up config.json, makes berth the current context and logs it', async () => {
    const tools = bundledTools();
    const paths = berthPaths({ BERTH_HOME: path.join(dir, 'home') });
    const dockerConfig = path.join(dir, 'docker-config');
    const env = { PATH: '/usr/bin:/bin', BERTH_HOME: paths.home, BERTH_TOOLS_DIR: tools, DOCKER_CONFIG: dockerConfig };
    const logged: string[] = [];
    const f = fakeElectron();
    const engine = `unix://${paths.dockerSocket}`;
    const shell = await startShell(f.e, options({ engine, host: fakeHost().host, hostTools: hostToolsOnStart(paths, engine, env), log: (l) => logged.push(l) }));
    expect(readlinkSync(path.join(paths.bin, 'docker'))).toBe(path.join(tools, 'bin', 'docker'));
    expect(readlinkSync(path.join(paths.bin, 'docker-credential-berth'))).toBe(path.join(tools, 'bin', 'docker-credential-berth'));
    expect(readlinkSync(path.join(paths.cliPlugins, 'docker-compose'))).toBe(path.join(tools, 'cli-plugins', 'docker-compose'));
    const config = JSON.parse(await readFile(path.join(dockerConfig, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toEqual({ cliPluginsExtraDirs: [paths.cliPlugins], credsStore: 'berth', currentContext: 'berth' });
    const metaDir = path.join(dockerConfig, 'contexts', 'meta');
    const meta = JSON.parse(await readFile(path.join(metaDir, readdirSync(metaDir)[0]!, 'meta.json'), 'utf8')) as { Name: string; Endpoints: { docker: { Host: string } } };
    expect(meta).toMatchObject({ Name: 'berth', Endpoints: { docker: { Host: engine } } });
    expect(logged.join('')).toContain(`Linked in ${paths.bin}: docker, docker-credential-berth`);
    expect(logged.join('')).toContain('Current docker context: berth');
    expect(f.windows()).toHaveLength(1);
    await shell!.quit();
  });

  it('leaves a config.json it cannot read alone, says so in the log, and still opens the dashboard', async () => {
    const paths = berthPaths({ BERTH_HOME: path.join(dir, 'home') });
    const dockerConfig = path.join(dir, 'docker-config');
    mkdirSync(dockerConfig);
    writeFileSync(path.join(dockerConfig, 'config.json'), '{ not json');
    const logged: string[] = [];
    const f = fakeElectron();
    const env = { BERTH_HOME: paths.home, BERTH_TOOLS_DIR: bundledTools(), DOCKER_CONFIG: dockerConfig };
    await startShell(f.e, options({ host: fakeHost().host, hostTools: hostToolsOnStart(paths, 'unix:///run/berth.sock', env), log: (l) => logged.push(l) }));
    expect(await readFile(path.join(dockerConfig, 'config.json'), 'utf8')).toBe('{ not json');
    expect(logged.join('')).toMatch(/config\.json: .*not valid JSON/);
    expect(f.windows()).toHaveLength(1);
  });

  it('a set-up that throws is logged and the app still opens', async () => {
    const logged: string[] = [];
    const f = fakeElectron();
    await startShell(f.e, options({ host: fakeHost().host, hostTools: () => { throw new Error('EACCES: permission denied, mkdir \'/home/u/.berth/bin\''); }, log: (l) => logged.push(l) }));
    expect(logged.join('')).toContain("host tools were not set up: EACCES: permission denied, mkdir '/home/u/.berth/bin'");
    expect(f.windows()).toHaveLength(1);
  });
});

describe('tray menu and notifications', () => {
  const actions = { openDashboard() {}, start() {}, stop() {}, restart() {}, quit() {} };
  it('disables engine control when Berth does not run the engine', () => {
    const t = trayMenuTemplate({ state: 'running', endpoint: '' }, actions, false);
    expect(t.filter((i) => ['Start', 'Stop', 'Restart'].includes(i.label ?? '')).every((i) => i.enabled === false)).toBe(true);
  });
  it('notifies only on transitions that matter', () => {
    const s = (state: EngineStatus['state']) => ({ state, endpoint: '' });
    expect(notificationFor(undefined, s('running'))).toBeUndefined();
    expect(notificationFor(s('running'), s('running'))).toBeUndefined();
    expect(notificationFor(s('running'), s('stopped'))).toEqual({ title: 'Berth engine stopped', body: 'The engine is no longer running.' });
  });
});
