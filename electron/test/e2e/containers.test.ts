// Container detail views the first suite does not reach: published ports as links, live stats, the files browser
// (read through the archive API, a file downloaded), pause/resume, and networks. Real berthd, real Chromium.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateBridge, docker, HELLO_TXT, releaseBridge, type BridgeAllocation } from '../../../scripts/src/testrig/index.js';
import { startStack, type Stack } from './harness.js';
import { ContainersPage } from './pages/containers.js';
import { ImagesPage } from './pages/images.js';
import { NetworksPage } from './pages/networks.js';
import { Shell } from './pages/shell.js';

const NAME = 'e2e-web';

describe('containers in depth, and networks', () => {
  let stack: Stack;
  let shell: Shell;
  let containers: ContainersPage;
  let subnet: BridgeAllocation;

  beforeAll(async () => {
    stack = await startStack();
    subnet = allocateBridge();
    shell = new Shell(stack.page);
    containers = new ContainersPage(stack.page);
    const pulled = await docker(['pull', stack.images.busybox.reference], { host: stack.berthd.dockerHost });
    if (pulled.code !== 0) throw new Error(pulled.stderr);
    await shell.open(stack.dashboard.url);
  });
  afterAll(async () => {
    if (subnet) releaseBridge(subnet);
    await stack?.stop();
  });

  it('runs a web server with a port on 127.0.0.1 and shows it as a link that answers', async () => {
    const ref = stack.images.busybox.reference;
    await shell.go('Images');
    const dialog = await new ImagesPage(stack.page).openRun(ref);
    await containers.run(dialog, { name: NAME, ports: '127.0.0.1::80', command: `sh -c 'echo served-by-berth > /tmp/index.html; exec httpd -f -p 80 -h /tmp'` });
    const detail = containers.detail(NAME);
    await expect.poll(() => detail.getByTestId('container-state').textContent(), { timeout: 30_000 }).toBe('running');
    await stack.page.getByRole('button', { name: 'Back to containers' }).click();
    const link = containers.row(NAME).getByRole('link', { name: /^127\.0\.0\.1:\d+->80\/tcp$/ });
    await link.waitFor();
    const port = /:(\d+)->/.exec((await link.textContent()) ?? '')![1];
    expect(await link.getAttribute('href')).toBe(`http://127.0.0.1:${port}`);
    const ps = await docker(['ps', '--format', '{{.Ports}}', '--filter', `name=${NAME}`], { host: stack.berthd.dockerHost });
    expect(ps.stdout).toContain(`127.0.0.1:${port}->80/tcp`);
    await expect.poll(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => ''), { timeout: 10_000 }).toBe('served-by-berth\n');
    await stack.screenshot('containers-ports');
  });

  it('shows a 100,000-line log in a virtualised list and finds one line by search', async () => {
    const name = 'e2e-chatty';
    const ran = await docker(['run', '--name', name, stack.images.busybox.reference, 'seq', '1', '100000'], { host: stack.berthd.dockerHost });
    expect(ran.code).toBe(0);
    await shell.go('Containers');
    await containers.row(name).getByRole('button', { name, exact: true }).click();
    await containers.tab('Logs');
    const count = stack.page.getByTestId('log-count');
    await expect.poll(() => count.textContent(), { timeout: 60_000 }).toBe('100000 lines');
    // Only what is on screen (plus a little overscan) is in the DOM.
    expect(await containers.logLines.count()).toBeLessThan(200);
    await stack.page.getByRole('searchbox', { name: 'Search logs' }).fill('99999');
    await expect.poll(() => count.textContent()).toBe('1 of 100000 lines');
    expect(await containers.logLines.allTextContents()).toEqual(['99999']);
    await stack.screenshot('container-logs-100k');
    await stack.page.getByRole('button', { name: 'Back to containers' }).click();
    expect((await docker(['rm', name], { host: stack.berthd.dockerHost })).code).toBe(0);
  });

  it('pauses and resumes the container from its row', async () => {
    await containers.action(NAME, 'Pause');
    await expect.poll(() => containers.row(NAME).getAttribute('data-state'), { timeout: 15_000 }).toBe('paused');
    const inspected = await docker(['inspect', '-f', '{{.State.Status}}', NAME], { host: stack.berthd.dockerHost });
    expect(inspected.stdout.trim()).toBe('paused');
    await stack.screenshot('containers-paused');
    await containers.action(NAME, 'Resume');
    await expect.poll(() => containers.row(NAME).getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
  });

  it('shows live stats for CPU, memory, network and block I/O', async () => {
    await containers.row(NAME).getByRole('button', { name: NAME, exact: true }).click();
    await containers.tab('Stats');
    const detail = containers.detail(NAME);
    for (const chart of ['CPU', 'Memory', 'Network I/O', 'Block I/O']) {
      await detail.getByRole('group', { name: chart }).getByRole('img', { name: `${chart} chart` }).waitFor();
    }
    const memory = detail.getByRole('group', { name: 'Memory' }).getByTestId('chart-value');
    await expect.poll(() => memory.textContent(), { timeout: 15_000 }).toMatch(/\d.* \/ \d/);
    await expect.poll(() => detail.getByRole('group', { name: 'CPU' }).getByTestId('chart-value').textContent()).toMatch(/%$/);
    // A few samples in, so the charts in the screenshot have lines (the engine streams one a second).
    await expect.poll(async () => Number(await detail.locator('.charts').getAttribute('data-samples')), { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    await stack.screenshot('container-stats');
  });

  it('browses the container filesystem and downloads a file', async () => {
    await containers.tab('Files');
    const files = containers.detail(NAME).getByRole('table', { name: 'Files' });
    await files.getByRole('button', { name: 'etc', exact: true }).click();
    await files.getByText('passwd', { exact: true }).waitFor();
    await stack.page.getByRole('navigation', { name: 'Path' }).getByRole('button', { name: '/', exact: true }).click();
    await files.getByText('hello.txt', { exact: true }).waitFor();
    await stack.screenshot('container-files');
    const [download] = await Promise.all([
      stack.page.waitForEvent('download'),
      files.getByRole('button', { name: 'Download hello.txt' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('hello.txt');
    expect(await readFile(await download.path(), 'utf8')).toBe(HELLO_TXT);
    await stack.page.getByRole('button', { name: 'Back to containers' }).click();
  });

  it('lists, creates, inspects and deletes networks, and sees one made with the CLI', async () => {
    const networks = new NetworksPage(stack.page);
    await shell.go('Networks');
    await networks.row('bridge').waitFor();
    await networks.create('e2e-net', subnet.subnet);
    await networks.row('e2e-net').waitFor();
    expect(await networks.row('e2e-net').textContent()).toContain(subnet.subnet);
    const json = JSON.parse(await networks.inspect('e2e-net')) as { Name: string; IPAM: { Config: { Subnet: string }[] } };
    expect(json.Name).toBe('e2e-net');
    expect(json.IPAM.Config[0]?.Subnet).toBe(subnet.subnet);
    await networks.closeDrawer('e2e-net');
    await stack.screenshot('networks');
    await networks.remove('e2e-net');
    await networks.row('e2e-net').waitFor({ state: 'detached' });

    const made = await docker(['network', 'create', '--internal', 'e2e-cli-net'], { host: stack.berthd.dockerHost });
    expect(made.code, made.stderr).toBe(0);
    await networks.row('e2e-cli-net').waitFor({ timeout: 5_000 });
    expect(await networks.row('e2e-cli-net').textContent()).toContain('internal');
    await networks.remove('e2e-cli-net');
    await networks.row('e2e-cli-net').waitFor({ state: 'detached' });
  });

  it('deletes the container', async () => {
    await shell.go('Containers');
    await containers.action(NAME, 'Delete');
    await shell.confirm('Delete');
    await containers.row(NAME).waitFor({ state: 'detached', timeout: 15_000 });
  });
});
