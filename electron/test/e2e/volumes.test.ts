// Volumes in depth and the prune dialogs, against a real berthd in Chromium: a volume filled by a container run
// with the docker CLI is browsed in its drawer (through the host's never-started helper container) and a file is
// downloaded; the prune dialogs list what would go, and what the engine removed matches.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../../../scripts/src/testrig/index.js';
import { axeViolations, describeViolations } from './axe.js';
import { startStack, type Stack } from './harness.js';
import { ImagesPage } from './pages/images.js';
import { Shell } from './pages/shell.js';
import { PruneDialogPage, VolumeBrowserPage } from './pages/volumes.js';

const VOLUME = 'e2e-files';
const APP_INI = '[app]\nname=berth\n';
const HELPER_LABEL = 'com.berth.volume-browser';

describe('volume files and prune dialogs', () => {
  let stack: Stack;
  let shell: Shell;
  let volumes: VolumeBrowserPage;
  const cli = async (args: string[], input?: string | Buffer) => {
    const res = await docker(args, { host: stack.berthd.dockerHost, ...(input !== undefined ? { input } : {}) });
    if (res.code !== 0) throw new Error(`docker ${args.join(' ')}: ${res.stderr}`);
    return res.stdout.trim();
  };
  /** A screenshot of what the user sees, which must also pass axe (WCAG A/AA). */
  const shot = async (name: string) => {
    await stack.screenshot(name);
    expect(describeViolations(name, await axeViolations(stack.page))).toEqual([]);
  };

  beforeAll(async () => {
    stack = await startStack();
    shell = new Shell(stack.page);
    volumes = new VolumeBrowserPage(stack.page);
    await cli(['pull', stack.images.busybox.reference]);
    await cli(['volume', 'create', VOLUME]);
    await cli(['run', '--rm', '-v', `${VOLUME}:/data`, stack.images.busybox.reference, 'sh', '-c',
      `mkdir -p /data/conf && printf '${APP_INI.replace(/\n/g, '\\n')}' > /data/conf/app.ini && echo hello > /data/notes.txt`]);
    await shell.open(stack.dashboard.url);
  });
  afterAll(async () => {
    if (stack) process.stdout.write(`volumes screenshots: ${stack.shots}\n`);
    await stack?.stop();
  });

  it('browses a volume written by a container and downloads a file, leaving no helper container behind', async () => {
    await shell.go('Volumes');
    const drawer = await volumes.open(VOLUME);
    const mountpoint = await cli(['volume', 'inspect', '-f', '{{.Mountpoint}}', VOLUME]);
    const overview = drawer.getByLabel('Volume overview');
    await overview.getByText(mountpoint, { exact: true }).waitFor();
    await expect.poll(() => drawer.getByTestId('volume-size').textContent()).toMatch(/^\d+(\.\d+)? (B|kB)$/);
    await volumes.fileRow(drawer, 'notes.txt').waitFor();
    expect(await volumes.fileRow(drawer, 'notes.txt').textContent()).toContain('6 B');
    await volumes.enter(drawer, 'conf');
    await volumes.fileRow(drawer, 'app.ini').waitFor();
    await shot('volume-files');
    const download = await volumes.download(drawer, 'app.ini');
    expect(download.suggestedFilename()).toBe('app.ini');
    expect(await readFile(await download.path(), 'utf8')).toBe(APP_INI);
    await volumes.crumb(drawer, '/');
    await volumes.fileRow(drawer, 'conf').waitFor();
    await volumes.close(drawer);

    expect(await cli(['ps', '-aq', '--filter', `label=${HELPER_LABEL}`])).toBe('');
    // The helper's image is there, and says what it is.
    expect(await cli(['image', 'inspect', '-f', `{{index .Config.Labels "${HELPER_LABEL}"}}`, 'berth-volume-browser:1'])).toMatch(/Berth/);
  });

  it('prunes anonymous volumes by default, after listing them; named unused ones only when asked', async () => {
    const id = await cli(['create', '-v', '/scratch', stack.images.busybox.reference]);
    const anon = await cli(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', id]);
    await cli(['rm', id]);
    await volumes.row(anon).waitFor();
    const prune = new PruneDialogPage(stack.page, 'Prune unused volumes');
    await prune.open();
    expect(await prune.candidates()).toEqual([anon]);
    await prune.choose(/All unused volumes/);
    expect((await prune.candidates()).sort()).toEqual([anon, VOLUME].sort());
    await shot('volume-prune');
    await prune.choose(/Anonymous volumes only/);
    expect(await prune.confirm()).toMatch(/^Deleted 1 volume · /);
    expect(await prune.removed()).toEqual([anon]);
    await prune.done();
    await volumes.row(anon).waitFor({ state: 'detached' });
    expect(await cli(['volume', 'ls', '-q'])).toBe(VOLUME);
  });

  it('prunes dangling images after listing them, with "all unused" showing tagged ones too', async () => {
    // An untagged image: `docker import` of an empty rootfs without a name.
    const empty = Buffer.alloc(1024);
    const dangling = (await cli(['import', '-'], empty)).replace(/^sha256:/, '').slice(0, 12);
    await shell.go('Images');
    const images = new ImagesPage(stack.page);
    await images.row(stack.images.busybox.reference).waitFor();
    const prune = new PruneDialogPage(stack.page, 'Prune images');
    await prune.open();
    expect(await prune.candidates()).toEqual(['<none>']);
    await prune.choose(/All unused images/);
    expect((await prune.candidates()).sort()).toEqual(['<none>', 'berth-volume-browser:1', stack.images.busybox.reference].sort());
    expect(await prune.summary()).toMatch(/^Will delete 3 images, at most /);
    await shot('image-prune');
    await prune.choose(/Dangling images only/);
    expect(await prune.confirm()).toMatch(/^Deleted 1 image · /);
    expect(await prune.removed()).toEqual([dangling]);
    await prune.done();
    expect(await cli(['images', '-q', '--filter', 'dangling=true'])).toBe('');
    await images.row(stack.images.busybox.reference).waitFor();
  });

  it('shows the image history: instructions, sizes, empty steps dimmed', async () => {
    // The rig's config image has history entries that add no layer.
    const ref = stack.images.config.reference;
    await cli(['pull', ref]);
    const images = new ImagesPage(stack.page);
    await images.row(ref).waitFor();
    const drawer = await images.inspect(ref);
    await drawer.getByRole('tab', { name: /^Layers/ }).click();
    const rows = drawer.getByTestId('history-row');
    await rows.first().waitFor();
    const sizes = (await cli(['history', '--format', '{{.Size}}', ref])).split('\n');
    expect(await rows.count()).toBe(sizes.length);
    const empties = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-empty')));
    expect(empties).toEqual(sizes.map((s) => String(s === '0B')));
    expect(empties).toContain('true');
    await shot('image-history');
    await drawer.getByRole('button', { name: 'Close' }).click();
  });
});
