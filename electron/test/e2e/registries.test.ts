// Settings → Registries in Chromium against berthd, an htpasswd registry and a real gnome-keyring: a wrong password
// is refused by the registry (through the engine's POST /auth), an unreachable registry and one whose certificate the
// engine does not trust are refused with what to do next, none of them stores anything, sign-in stores the login in the keyring, a private
// image pulls with one click (X-Registry-Auth), sign-out empties the list, and neither the diagnostics bundle nor
// the logs ever hold the secret.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM, freeLoopbackPort, keyringUnavailable, pushTestImages, startBerthd, startKeyring, startRegistry, stopByPid,
  type DashboardProcess, type PushedTestImages, type RunningBerthd, type TestKeyring, type TestRegistry,
} from '../../../scripts/src/testrig/index.js';
import { KEYCHAIN_SERVICE } from '../../src/host/credentials/os-keychain.js';
import { startDashboard } from './harness.js';
import { TroubleshootPage } from './pages/berth-settings.js';
import { ImagesPage } from './pages/images.js';
import { Shell } from './pages/shell.js';

describe('registry sign-in in the dashboard', () => {
  const auth = { username: 'dash-user', password: 'dash-pw-8f3k2' };
  let keyring: TestKeyring;
  let registry: TestRegistry;
  let images: PushedTestImages;
  let berthd: RunningBerthd;
  let dashboard: DashboardProcess;
  let work: string;
  let browser: BrowserContext;
  let page: Page;
  const saved = { ...process.env };

  beforeAll(async () => {
    // gnome-keyring and D-Bus are set-up's Debian packages: without them the set-up is broken, not the test skipped.
    const noKeyring = keyringUnavailable();
    if (noKeyring) throw new Error(`registry sign-in needs a Secret Service: ${noKeyring}`);
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-e2e-reg-'));
    [keyring, registry] = await Promise.all([startKeyring(), startRegistry({ auth })]);
    images = await pushTestImages(registry);
    berthd = await startBerthd({ insecureRegistries: [registry.host] });
    // The dashboard process inherits these: its own Berth home and docker config, and the test keyring.
    // BERTH_SYSTEM_BIN_DIR stands in for /usr/local/bin (a user's own docker already there).
    await mkdir(path.join(work, 'usr-local-bin'));
    await writeFile(path.join(work, 'usr-local-bin', 'docker'), '#!/bin/sh\necho "Docker version 28.1.0"\n', { mode: 0o755 });
    Object.assign(process.env, { BERTH_HOME: path.join(work, 'berth'), DOCKER_CONFIG: path.join(work, 'docker'), BERTH_SYSTEM_BIN_DIR: path.join(work, 'usr-local-bin'), ...keyring.env });
    dashboard = await startDashboard(berthd.socket, ['--settings', path.join(work, 'settings.json'), '--engine-log', berthd.logFile]);
    browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    await new Shell(page).open(dashboard.url);
  });
  afterAll(async () => {
    for (const k of ['BERTH_HOME', 'DOCKER_CONFIG', 'BERTH_SYSTEM_BIN_DIR', 'DBUS_SESSION_BUS_ADDRESS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await browser?.close();
    if (dashboard) await stopByPid(dashboard.child, 5_000);
    await berthd?.stop();
    await registry?.stop();
    await keyring?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const card = () => page.getByRole('region', { name: 'Registries' });

  /** Sign-in refused: the alert's text, once the engine has answered; the form stays as the user filled it. */
  const refusedSignIn = async (server: string): Promise<string> => {
    const shell = new Shell(page);
    await shell.go('Settings');
    const form = card().getByRole('form', { name: 'Sign in to a registry' });
    await form.getByLabel('Registry').fill(server);
    await form.getByLabel('User name').fill(auth.username);
    await form.getByLabel('Password').fill(auth.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => card().getByRole('alert').textContent(), { timeout: 30_000 }).toContain(server);
    return (await card().getByRole('alert').textContent()) ?? '';
  };
  /** Nothing stored: no keychain item, no index entry, and the list still empty. */
  const nothingStored = async (server: string) => {
    expect(await keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE]).catch(() => '')).toBe('');
    expect(await readFile(path.join(work, 'berth', 'credentials.json'), 'utf8').catch(() => '')).not.toContain(server);
    expect(await card().getByText('Not signed in to any registry.').count()).toBe(1);
  };

  it('says what to do when the registry cannot be reached, and stores nothing', async () => {
    // A loopback port nobody listens on: the engine tries HTTPS, then plain HTTP (loopback is insecure), both refused.
    const closed = `127.0.0.1:${await freeLoopbackPort()}`;
    const text = await refusedSignIn(closed);
    expect(text).toContain(`Cannot reach ${closed}`);
    expect(text).toContain('connect: connection refused. Check the registry address and port');
    expect(text).toContain('Check the registry address and port, that the registry is running');
    await nothingStored(closed);
  });

  it('says what to do when the engine does not trust the registry\'s certificate, and stores nothing', async (ctx) => {
    // The engine treats loopback addresses (and localhost) as insecure registries, as dockerd does, so it never
    // verifies their certificates. This machine's own host name is not one of those names; when it resolves to a
    // loopback address, an HTTPS server with a self-signed certificate there is a registry the engine verifies.
    const name = os.hostname();
    const address = await lookup(name).then((a) => a.address, () => undefined);
    if (!address || !(address.startsWith('127.') || address === '::1')) {
      ctx.skip(`this machine's host name (${name}) does not resolve to a loopback address (${address ?? 'no address'})`);
      return;
    }
    const dir = path.join(work, 'tls');
    await mkdir(dir);
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const server: Server = createServer({ key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Docker-Distribution-Api-Version': 'registry/2.0' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    try {
      const registryName = `${name}:${(server.address() as AddressInfo).port}`;
      const text = await refusedSignIn(registryName);
      expect(text).toContain(`The engine does not trust the TLS certificate of ${registryName}`);
      expect(text).toContain('x509: certificate signed by unknown authority. If it is your registry');
      expect(text).toContain(`add ${registryName} under Settings → Resources and registries → Insecure registries`);
      await nothingStored(registryName);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a wrong password, signs in, pulls a private image with one click, signs out', async () => {
    const shell = new Shell(page);
    await shell.go('Settings');
    await card().getByText('Not signed in to any registry.').waitFor();
    const form = card().getByRole('form', { name: 'Sign in to a registry' });
    await form.getByLabel('Registry').fill(registry.host);
    await form.getByLabel('User name').fill(auth.username);
    await form.getByLabel('Password').fill('not-the-password');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => card().getByRole('alert').textContent(), { timeout: 30_000 }).toContain(`Wrong user name or password for ${registry.host}`);
    expect(await keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE]).catch(() => '')).toBe('');

    await form.getByLabel('Password').fill(auth.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    const list = card().getByRole('table', { name: 'Signed-in registries' });
    await list.getByRole('cell', { name: registry.host, exact: true }).waitFor({ timeout: 30_000 });
    expect(await list.getByRole('cell', { name: auth.username, exact: true }).count()).toBe(1);
    expect(await keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE])).toContain(auth.password);
    await page.screenshot({ path: path.join(work, 'registries-signed-in.png') });

    await shell.go('Images');
    const imagesPage = new ImagesPage(page);
    const ref = images.busybox.reference;
    await imagesPage.pull(ref);
    await expect.poll(() => imagesPage.pullCard(ref).getAttribute('data-state'), { timeout: 60_000 }).toBe('done');

    await shell.go('Settings');
    await card().getByRole('button', { name: `Sign out of ${registry.host}` }).click();
    await card().getByText('Not signed in to any registry.').waitFor();
    expect(await keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE]).catch(() => '')).not.toContain(auth.password);
  });

  it('links docker into the system bin dir only when asked, leaves the user\'s own docker, and unlinks', async () => {
    await new Shell(page).go('Settings');
    const sysDir = path.join(work, 'usr-local-bin');
    const links = card().getByLabel('System links');
    const box = links.getByRole('checkbox');
    expect(await box.isChecked()).toBe(false);
    expect(await readdir(sysDir)).toEqual(['docker']);
    await box.click();
    await expect.poll(() => box.isChecked(), { timeout: 30_000 }).toBe(true);
    await links.getByText(`${path.join(sysDir, 'docker')}: your own (Docker version 28.1.0)`).waitFor();
    expect(await readlink(path.join(sysDir, 'docker-credential-berth'))).toMatch(/\/bin\/docker-credential-berth$/);
    expect(await readFile(path.join(sysDir, 'docker'), 'utf8')).toContain('28.1.0');
    await box.click();
    await expect.poll(() => box.isChecked(), { timeout: 30_000 }).toBe(false);
    expect(await readdir(sysDir)).toEqual(['docker']);
  });

  it('keeps the secret out of the diagnostics bundle and the logs', async () => {
    await new Shell(page).go('Settings');
    const form = card().getByRole('form', { name: 'Sign in to a registry' });
    await form.getByLabel('Registry').fill(registry.host);
    await form.getByLabel('User name').fill(auth.username);
    await form.getByLabel('Password').fill(auth.password);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await card().getByRole('cell', { name: registry.host, exact: true }).waitFor({ timeout: 30_000 });
    await new Shell(page).go('Troubleshoot');
    const { text } = await new TroubleshootPage(page).diagnostics();
    expect(text).not.toContain(auth.password);
    expect(text).not.toContain(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    for (const file of [berthd.logFile]) expect(await readFile(file, 'utf8')).not.toContain(auth.password);
    expect(await readFile(path.join(work, 'berth', 'credentials.json'), 'utf8')).not.toContain(auth.password);
  });
});
