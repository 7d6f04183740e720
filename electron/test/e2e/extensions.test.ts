// Docker Desktop extensions in the dashboard, in Chromium against a rig berthd: fixture extensions (built without a
// daemon) are installed from the Extensions view with Docker Desktop's confirmation, their tabs run their UIs in
// frames of their own origin with window.ddClient (docker CLI, streaming stats, backend HTTP over its socket, host
// binaries, toasts), leaving a tab ends its processes, the sandbox holds, and removing leaves nothing behind.
import { access, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM, dashboardPrerequisitesMissing, docker, freeLoopbackPort, startDashboardProcess, stopByPid, type DashboardProcess,
} from '../../../scripts/src/testrig/index.js';
import { berthExt, rigToolchain, startExtStack, type ExtStack } from '../integration/extensions/stack.js';
import { ExtensionsPage } from './pages/extensions.js';
import { Shell } from './pages/shell.js';

// Browser globals inside frame.evaluate (the test itself is typed for Node).
declare const window: { parent: { location: { href: string }; document: { title: string }; sessionStorage: { length: number } } };
declare const localStorage: Record<string, string>;
declare function getComputedStyle(e: unknown): { backgroundColor: string };
declare const parent: { postMessage(m: unknown, o: string): void };
type OpenDialogClient = { ddClient: { desktopUI: { dialog: { showOpenDialog(o: object): Promise<{ canceled: boolean; filePaths: string[] }> } } } };
declare function addEventListener(t: 'message', l: (ev: { data?: { id?: number; ok?: boolean; value?: unknown; error: { message: string } } }) => void): void;

const toolchain = await rigToolchain();
const skip = dashboardPrerequisitesMissing() ?? (typeof toolchain === 'string' ? toolchain : undefined);

/** Child processes of `pid` whose command line contains every one of `words`. */
async function children(pid: number, words: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== pid) continue;
    const cmd = (await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (words.every((w) => cmd.includes(w))) out.push(Number(d));
  }
  return out;
}

describe.skipIf(skip)(`extensions in the dashboard${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let s: ExtStack;
  let dashboard: DashboardProcess;
  let browser: BrowserContext;
  let page: Page;
  let shell: Shell;
  let ext: ExtensionsPage;
  const id = (ref: string) => ref.replace(/:[^/:]+$/, '');
  const cli = async (args: string[]) => {
    const r = await docker(args, { host: s.berthd.dockerHost });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** The extension's backend containers as `<compose service> <state>`, sorted. */
  const composeServices = async (extId: string) => (await cli(['ps', '-a', '--filter', `label=com.docker.desktop.extension.name=${extId}`,
    '--format', '{{.Label "com.docker.compose.service"}} {{.State}}'])).split('\n').filter(Boolean).sort();
  const install = async (ref: string, title: string) => {
    await shell.go('Extensions');
    const dialog = await ext.installFromImage(ref);
    await dialog.getByText('Extensions can install binaries, invoke commands and access files on your machine. Are you sure you want to continue?').waitFor();
    await dialog.getByRole('button', { name: 'Install', exact: true }).click();
    // The tab appears, or the dialog says why not (then that is the failure to read).
    const failed = dialog.getByRole('alert');
    await Promise.race([ext.tab(title).waitFor({ timeout: 180_000 }), failed.waitFor({ timeout: 180_000 })]).catch(() => undefined);
    if (await failed.isVisible()) throw new Error(`installing ${title} failed in the dashboard: ${await failed.textContent()}`);
    await ext.tab(title).waitFor({ timeout: 1_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}\nthe install dialog shows:\n${await dialog.innerText().catch(() => '(gone)')}`, { cause: e });
    });
    await dialog.waitFor({ state: 'detached' });
  };

  beforeAll(async () => {
    s = await startExtStack(toolchain as Exclude<typeof toolchain, string>, { react: true });
    await cli(['pull', `${s.registry.host}/berth-test/busybox:latest`]).catch(async () => {
      const { pushTestImages } = await import('../../../scripts/src/testrig/index.js');
      await pushTestImages(s.registry);
      await cli(['pull', `${s.registry.host}/berth-test/busybox:latest`]);
    });
    await cli(['run', '-d', '--name', 'e2e-stats', `${s.registry.host}/berth-test/busybox:latest`, 'sleep', '600']);
    Object.assign(process.env, { BERTH_HOME: s.home, BERTH_DOCKER_CLI: s.env.BERTH_DOCKER_CLI, DOCKER_CONFIG: s.env.DOCKER_CONFIG });
    dashboard = await startDashboardProcess(s.berthd.dockerHost);
    browser = await chromium.launchPersistentContext(path.join(s.home, '..', 'chromium-profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => { if (m.type() === 'error') process.stderr.write(`[page] ${m.text()}\n`); });
    shell = new Shell(page);
    ext = new ExtensionsPage(page);
    await shell.open(dashboard.url);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    if (dashboard) await stopByPid(dashboard.child, 5_000);
    await s?.stop();
  });

  it('installs a UI extension from the dashboard; its tab runs ddClient calls, a toast and a streaming docker stats', async () => {
    await install(s.exts.ui, 'Hello UI');
    await ext.tab('Hello UI').click();
    // The page toasts as it loads; a success toast stays 5 s, so watch for it from the start.
    const toast = shell.toast('Hello from the extension').waitFor();
    const ui = id(s.exts.ui);
    expect(await ext.result(ui, 'ddclient')).toBe('object');
    expect(await ext.result(ui, 'platform')).toBe(process.platform);
    expect(await ext.result(ui, 'image')).toBe(s.exts.ui);
    expect(await ext.result(ui, 'themes')).toBe('defined');
    expect(await ext.result(ui, 'containers')).toBe('list');
    expect(await ext.result(ui, 'images')).toBe('list');
    expect(await ext.result(ui, 'engine-os')).toBe('linux');
    expect(await ext.result(ui, 'exec-fail')).toBe('code 1');
    expect(await ext.result(ui, 'v0-exec')).toBe('linux');
    expect(await ext.result(ui, 'v0-containers')).toBe('list');
    await toast;
    expect(await ext.result(ui, 'stats')).toBe('e2e-stats');
    await page.screenshot({ path: path.join(s.home, '..', 'extension-tab.png') });

    // The streaming `docker stats` is a child of the dashboard while the tab is open, and gone once it is left.
    const stats = await children(dashboard.pid, ['stats', '--format', '{{.Name}}']);
    expect(stats).toHaveLength(1);
    await shell.go('Containers');
    await expect.poll(() => children(dashboard.pid, ['stats', '--format', '{{.Name}}']), { timeout: 10_000 }).toEqual([]);
  });

  it('runs a React + MUI extension built with Docker\'s client and theme; leaving its tab ends its stream, removing it leaves nothing', async () => {
    const ref = s.reactExt!;
    const rid = id(ref);
    await install(ref, 'React Extension');
    await ext.tab('React Extension').click();
    const toast = shell.toast('React extension ready').waitFor();
    const frame = ext.frame(rid);
    await frame.getByRole('heading', { name: 'React Extension' }).waitFor({ timeout: 30_000 });
    // @docker/docker-mui-theme built MUI's theme from Berth's window.__ddMuiV5Themes: CssBaseline paints its background.
    const mode = (await frame.getByText(/^Theme: /).textContent())?.replace('Theme: ', '');
    const bg = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    expect({ mode, bg }).toEqual(mode === 'dark' ? { mode, bg: 'rgb(27, 30, 35)' } : { mode: 'light', bg: 'rgb(255, 255, 255)' });
    expect(await ext.result(rid, 'vm-hello')).toBe('{"hello":"react"}');
    expect(await ext.result(rid, 'host')).toBe('hello from the host: react');
    expect((await ext.result(rid, 'ps')).split(',')).toContain('e2e-stats');
    await expect.poll(async () => (await ext.result(rid, 'stats')).split(','), { timeout: 30_000 }).toContain('e2e-stats');
    await toast;
    await page.screenshot({ path: path.join(s.home, '..', 'react-extension-tab.png') });

    expect(await children(dashboard.pid, ['stats', '--format', '{{.Name}}'])).toHaveLength(1);
    await shell.go('Containers');
    await expect.poll(() => children(dashboard.pid, ['stats', '--format', '{{.Name}}']), { timeout: 10_000 }).toEqual([]);

    const dir = path.join(s.home, 'extensions', rid.replace(/[^A-Za-z0-9._-]/g, '_'));
    await access(path.join(dir, 'host', 'hello-host'));
    const project = `label=com.docker.desktop.extension.name=${rid}`;
    expect(await cli(['ps', '-a', '-q', '--filter', project])).not.toBe('');
    await shell.go('Extensions');
    await ext.row('React Extension').getByRole('button', { name: 'Remove React Extension' }).click();
    await shell.confirm('Remove');
    await ext.row('React Extension').waitFor({ state: 'detached', timeout: 60_000 });
    await ext.tab('React Extension').waitFor({ state: 'detached' });
    expect(await cli(['ps', '-a', '-q', '--filter', project])).toBe('');
    expect(await cli(['volume', 'ls', '-q'])).toBe('');
    expect(await cli(['network', 'ls', '--format', '{{.Name}}'])).not.toMatch(/react/);
    await expect(access(dir)).rejects.toThrow(/ENOENT/);
    expect(await page.locator(`iframe[data-extension="${rid}"]`).count()).toBe(0);
  });

  it('runs a backend in the engine reached through vm.service and vm.cli.exec, and a shipped host binary', async () => {
    await install(s.exts.backend, 'Backend');
    await ext.tab('Backend').click();
    const be = id(s.exts.backend);
    expect(await ext.result(be, 'vm-hello')).toBe('{"hello":"backend"}');
    expect(await ext.result(be, 'vm-echo')).toBe('{"a":1}');
    expect(await ext.result(be, 'vm-fail')).toBe('500 {"message":"failed on purpose"}');
    expect(await ext.result(be, 'vm-exec')).toBe('berth-test busybox');

    await install(s.exts.host, 'Host Tools');
    await ext.tab('Host Tools').click();
    const host = id(s.exts.host);
    expect(await ext.result(host, 'host')).toBe('hello from the host: quoted arg');
    expect(await ext.result(host, 'host-foreign')).toMatch(/^refused: "sh" is not a host binary of extension/);

    // A vm.composefile backend of two services: both start on install (the list says Running (2)); its first
    // service binds Docker Desktop's /var/run/docker.sock.raw and reaches the engine through it.
    const pair = id(s.exts.compose);
    await install(s.exts.compose, 'Compose Pair');
    await ext.tab('Compose Pair').click();
    expect(await ext.result(pair, 'vm-hello')).toBe('{"hello":"compose-api"}');
    expect(await ext.result(pair, 'vm-engine')).toBe('OK');
    expect(await composeServices(pair)).toEqual(['api running', 'worker running']);
    await shell.go('Extensions');
    await expect.poll(() => ext.row('Compose Pair').locator('td').nth(3).textContent()).toBe('Running (2)');
    expect(await cli(['volume', 'ls', '-q'])).toMatch(/compose-desktop-extension_ext-data$/m);
  });

  it('keeps an extension frame away from the dashboard\'s token, API and storage, other binaries and other backends', async () => {
    await ext.tab('Hello UI').click();
    const ui = id(s.exts.ui);
    await ext.result(ui, 'platform');
    const frame = page.frames().find((f) => f.url().includes('/index.html') && f !== page.mainFrame())!;
    const dashboardUrl = new URL(dashboard.url);
    const token = dashboardUrl.hash.replace('#token=', '');
    expect(new URL(frame.url()).origin).not.toBe(dashboardUrl.origin);
    const probes = await frame.evaluate(async ({ origin, token: t }) => {
      const tryIt = (f: () => unknown) => { try { return String(f()); } catch (e) { return `blocked: ${(e as Error).name}`; } };
      // Even holding the real token, the dashboard's WebSocket refuses this origin.
      const ws = await new Promise<string>((resolve) => {
        const sock = new WebSocket(`${origin.replace('http', 'ws')}/ws?token=${t}`);
        sock.onopen = () => resolve('open');
        sock.onerror = () => resolve('refused');
      });
      const fetched = await fetch(`${origin}/`).then((r) => r.text().then(() => 'read'), () => 'blocked');
      return {
        parentUrl: tryIt(() => window.parent.location.href),
        parentDom: tryIt(() => window.parent.document.title),
        parentStorage: tryIt(() => window.parent.sessionStorage.length),
        ownStorage: JSON.stringify(Object.keys(localStorage)),
        ws, fetched,
      };
    }, { origin: dashboardUrl.origin, token });
    expect(probes).toEqual({
      parentUrl: 'blocked: SecurityError', parentDom: 'blocked: SecurityError', parentStorage: 'blocked: SecurityError',
      ownStorage: '[]', ws: 'refused', fetched: 'blocked',
    });

    // Raw bridge messages cannot borrow another extension's backend or binary: the dashboard names the caller.
    const forged = await frame.evaluate(async (otherId) => {
      const ask = (id: number, body: object) => new Promise<string>((resolve) => {
        addEventListener('message', (ev) => { if (ev.data?.id === id) resolve(ev.data.ok ? JSON.stringify(ev.data.value) : ev.data.error.message); });
        parent.postMessage({ berthExt: 1, id, ext: otherId, ...body }, '*');
      });
      return {
        backend: await ask(9001, { op: 'call', call: { kind: 'vm.request', method: 'GET', url: '/hello' } }),
        binary: await ask(9002, { op: 'exec', exec: { scope: 'host', cmd: 'hello-host', args: [] } }),
        path: await ask(9003, { op: 'exec', exec: { scope: 'host', cmd: '../../../bin/sh', args: [] } }),
      };
    }, id(s.exts.backend));
    expect(forged.backend).toContain('exposes no backend socket');
    expect(forged.binary).toMatch(/"hello-host" is not a host binary of extension .*hello-ui/);
    expect(forged.path).toContain('is not a host binary');
  });

  it('answers showOpenDialog with the dashboard\'s own dialog over the host\'s folders; the extension gets only what was picked', async () => {
    const root = await mkdtemp(path.join(s.home, '..', 'open-dialog-'));
    try {
      await mkdir(path.join(root, 'inner'));
      await writeFile(path.join(root, 'notes.txt'), 'notes');
      await writeFile(path.join(root, 'about.txt'), 'about');
      await writeFile(path.join(root, 'skip.log'), 'not text');
      await writeFile(path.join(root, 'inner', 'deep.txt'), 'deep');
      await ext.tab('Hello UI').click();
      await ext.result(id(s.exts.ui), 'platform');
      const frame = page.frames().find((f) => f.url().includes('/index.html') && f !== page.mainFrame())!;
      const ask = (options: object) => frame.evaluate((o) => (window as unknown as OpenDialogClient).ddClient.desktopUI.dialog.showOpenDialog(o), options);

      const picked = ask({ properties: ['openFile', 'multiSelections'], filters: [{ name: 'Text', extensions: ['txt'] }], defaultPath: root });
      const dialog = page.getByRole('dialog', { name: 'Open' });
      await dialog.getByText('Hello UI asks you to pick files on this machine; it gets only what you pick.').waitFor();
      const row = (name: string) => dialog.locator(`[data-testid="open-dialog-row"][data-name="${name}"]`);
      await row('notes.txt').waitFor();
      expect(await dialog.getByTestId('open-dialog-row').count()).toBe(3);
      expect(await row('skip.log').count()).toBe(0);
      // Into a folder and back up (ticks belong to the folder shown, as in a native dialog), then two files.
      await dialog.getByRole('button', { name: 'inner' }).click();
      await row('deep.txt').waitFor();
      await dialog.getByRole('button', { name: 'Parent folder' }).click();
      await dialog.getByLabel('Pick notes.txt').check();
      await dialog.getByLabel('Pick about.txt').check();
      await dialog.getByRole('button', { name: 'Open' }).click();
      expect(await picked).toEqual({ canceled: false, filePaths: [path.join(root, 'about.txt'), path.join(root, 'notes.txt')] });
      await dialog.waitFor({ state: 'detached' });

      // A folder picker: Escape closes it, and the extension hears that it was canceled.
      const canceled = ask({ properties: ['openDirectory'], title: 'Choose a workspace', defaultPath: root });
      const folderDialog = page.getByRole('dialog', { name: 'Choose a workspace' });
      await folderDialog.locator('[data-testid="open-dialog-row"][data-name="inner"]').waitFor();
      await page.keyboard.press('Escape');
      expect(await canceled).toEqual({ canceled: true, filePaths: [] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('developer mode: dev debug shows in the dashboard; a dev server\'s UI reloads the tab when it changes; reset', async () => {
    const ui = id(s.exts.ui);
    const dev = async (args: string[]) => {
      const r = await berthExt(s, ['dev', ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    };
    await dev(['debug', ui]);
    // The author's dev server: vite, serving a page that uses ddClient, with its own live reload.
    const root = await mkdtemp(path.join(s.home, '..', 'dev-ui-'));
    const pageText = (v: string) => `<!doctype html><html><head><title>dev</title></head><body><h1>Dev UI ${v}</h1>`
      + '<p id="dd"></p><script type="module">document.getElementById("dd").textContent = "ddClient " + typeof window.ddClient.docker.cli.exec;</script></body></html>\n';
    await writeFile(path.join(root, 'index.html'), pageText('v1'));
    const { createServer } = await import('vite');
    const port = await freeLoopbackPort();
    const vite = await createServer({ root, configFile: false, logLevel: 'silent', server: { host: '127.0.0.1', port, strictPort: true } });
    await vite.listen();
    try {
      await dev(['ui-source', ui, `http://127.0.0.1:${port}/`]);
      await shell.go('Extensions');
      await expect.poll(() => ext.row('Hello UI').textContent()).toContain(`Developer mode: debug, UI from http://127.0.0.1:${port}/`);
      await ext.tab('Hello UI').click();
      await page.getByText('Debug mode (berth extension dev debug)').waitFor();
      const frame = ext.frame(ui);
      await frame.getByRole('heading', { name: 'Dev UI v1' }).waitFor({ timeout: 30_000 });
      // The page's module script (after vite's client) runs once its imports have loaded.
      await expect.poll(() => frame.locator('#dd').textContent(), { timeout: 30_000 }).toBe('ddClient function');
      // The author saves: vite tells the page over its WebSocket (relayed by the extension's origin) and it reloads.
      await writeFile(path.join(root, 'index.html'), pageText('v2'));
      await frame.getByRole('heading', { name: 'Dev UI v2' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => frame.locator('#dd').textContent(), { timeout: 30_000 }).toBe('ddClient function');
    } finally {
      await vite.close();
      await rm(root, { recursive: true, force: true });
    }
    await dev(['reset', ui]);
    await shell.go('Extensions');
    await expect.poll(() => ext.row('Hello UI').textContent()).not.toContain('Developer mode');
    await ext.tab('Hello UI').click();
    expect(await ext.result(ui, 'ddclient')).toBe('object');
    expect(await page.getByText('Debug mode (berth extension dev debug)').count()).toBe(0);
  });

  it('hides extension containers from Containers unless Settings shows them', async () => {
    await shell.go('Containers');
    await page.getByText('e2e-stats').first().waitFor();
    expect(await page.getByText(/desktop-extension/).count()).toBe(0);
    // The setting is the engine's, as in Docker Desktop: plain `docker ps` follows it too.
    expect(await cli(['ps', '--format', '{{.Names}}'])).toBe('e2e-stats');
    await shell.go('Settings');
    await page.getByLabel('Show extension containers').check();
    await expect.poll(() => cli(['ps', '--format', '{{.Names}}'])).toMatch(/backend-desktop-extension/);
    await shell.go('Containers');
    await page.getByText(/backend-desktop-extension/).first().waitFor();
    await shell.go('Settings');
    await page.getByLabel('Show extension containers').uncheck();
    await expect.poll(() => cli(['ps', '--format', '{{.Names}}'])).toBe('e2e-stats');
  });

  it('removes each extension from the dashboard: no containers, volumes, files, binaries or tab remain', async () => {
    await shell.go('Extensions');
    for (const title of ['Backend', 'Compose Pair', 'Hello UI', 'Host Tools']) {
      await ext.row(title).getByRole('button', { name: `Remove ${title}` }).click();
      await shell.confirm('Remove');
      await ext.row(title).waitFor({ state: 'detached', timeout: 60_000 });
      await ext.tab(title).waitFor({ state: 'detached' });
    }
    expect(await cli(['ps', '-a', '--format', '{{.Names}}'])).toBe('e2e-stats');
    expect(await cli(['ps', '-a', '--filter', 'label=com.docker.desktop.extension', '--format', '{{.Names}}'])).toBe('');
    // Both services of the composefile backend went, and its named volume with them.
    expect(await composeServices(id(s.exts.compose))).toEqual([]);
    expect(await cli(['volume', 'ls', '-q'])).toBe('');
    const left = await readdir(path.join(s.home, 'extensions'));
    expect(left).toEqual(['state.json']);
    await expect(access(path.join(s.home, 'extensions', 'state.json'))).resolves.toBeUndefined();
  });
});
