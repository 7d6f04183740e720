// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FileEntry, VolumeRow } from '@berth/electron/shared/types.js';
import { setBerth } from '../../api/berth.js';
import { useVolumes } from '../../stores/resources.js';
import { fakeHost, type FakeHost } from '../../test/fake-host.js';
import { crumbs } from '../files/FileBrowser.js';
import { VolumesView } from '../VolumesView.js';

const ANON = 'c0ffee'.repeat(10) + 'beef';
const VOLUMES: VolumeRow[] = [
  { name: ANON, driver: 'local', mountpoint: `/var/lib/docker/volumes/${ANON}/_data`, labels: { 'com.docker.volume.anonymous': '' }, size: -1, usedBy: [] },
  { name: 'pgdata', driver: 'local', mountpoint: '/var/lib/docker/volumes/pgdata/_data', created: '2026-11-22T10:00:00Z', labels: { 'com.example.app': 'shop' }, size: -1, usedBy: ['shop-db-1'] },
  { name: 'scratch', driver: 'local', mountpoint: '/var/lib/docker/volumes/scratch/_data', labels: {}, size: -1, usedBy: [] },
];
const entry = (dir: string, name: string, kind: FileEntry['kind'], size = 0): FileEntry => ({ name, path: `${dir === '/' ? '' : dir}/${name}`, kind, size, mode: 0o644, mtime: 0 });
const FILES: Record<string, FileEntry[]> = {
  '/': [entry('/', 'conf', 'dir'), entry('/', 'notes.txt', 'file', 5)],
  '/conf': [entry('/conf', 'app.ini', 'file', 12)],
};

const blobText = (b: Blob) => new Promise<string>((resolve) => {
  const r = new FileReader();
  r.onload = () => resolve(r.result as string);
  r.readAsText(b);
});

let host: FakeHost;
beforeEach(() => {
  host = fakeHost({
    'volumes.list': () => VOLUMES,
    'volumes.usage': () => ({ [ANON]: 2048, pgdata: 5_000_000, scratch: 1000 }),
    'volumes.files': (a) => FILES[(a as { path: string }).path] ?? [],
    'volumes.readFile': () => ({ name: 'app.ini', base64: btoa('[app]\nx=1\n'), size: 12 }),
    'volumes.prune': (a) => ((a as { all: boolean }).all
      ? { deleted: 2, spaceReclaimed: 3048, removed: [ANON, 'scratch'] }
      : { deleted: 1, spaceReclaimed: 2048, removed: [ANON] }),
  });
  setBerth(host.api);
  useVolumes.setState({ items: [], loading: true, error: undefined });
});
afterEach(() => { cleanup(); vi.restoreAllMocks(); });

describe('volume drawer', () => {
  it('shows what the volume is, browses its files by breadcrumb and downloads one', async () => {
    const created = vi.fn((_b: Blob) => 'blob:x');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: () => undefined });
    const clicks = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    render(<VolumesView />);
    fireEvent.click(await screen.findByRole('button', { name: 'pgdata' }));
    const drawer = screen.getByRole('dialog', { name: 'pgdata' });
    const overview = within(drawer).getByLabelText('Volume overview');
    expect(overview.textContent).toContain('/var/lib/docker/volumes/pgdata/_data');
    expect(overview.textContent).toContain('com.example.app=shop');
    expect(overview.textContent).toContain('shop-db-1');
    expect(await within(drawer).findByText('5.00 MB')).toBeTruthy();

    const files = within(drawer).getByRole('table', { name: 'Files' });
    fireEvent.click(await within(files).findByRole('button', { name: 'conf' }));
    await within(files).findByText('app.ini');
    expect(host.calls.filter((c) => c.ch === 'volumes.files').map((c) => c.args)).toEqual([{ name: 'pgdata', path: '/' }, { name: 'pgdata', path: '/conf' }]);
    fireEvent.click(within(files).getByRole('button', { name: 'Download app.ini' }));
    await vi.waitFor(() => expect(clicks).toHaveBeenCalled());
    expect(host.calls.find((c) => c.ch === 'volumes.readFile')?.args).toEqual({ name: 'pgdata', path: '/conf/app.ini' });
    expect(await blobText(created.mock.calls[0]![0])).toBe('[app]\nx=1\n');

    fireEvent.click(within(within(drawer).getByRole('navigation', { name: 'Path' })).getByRole('button', { name: '/' }));
    await within(files).findByText('notes.txt');
  });

  it('makes breadcrumbs from a path', () => {
    expect(crumbs('/')).toEqual([{ label: '/', path: '/' }]);
    expect(crumbs('/a/b')).toEqual([{ label: '/', path: '/' }, { label: 'a', path: '/a' }, { label: 'b', path: '/a/b' }]);
  });
});

describe('volume prune dialog', () => {
  it('lists anonymous unused volumes by default, every unused one on request, and reports what went', async () => {
    render(<VolumesView />);
    await screen.findByRole('button', { name: 'pgdata' });
    fireEvent.click(screen.getByRole('button', { name: 'Prune' }));
    const dialog = screen.getByRole('dialog', { name: 'Prune unused volumes' });
    const candidates = () => within(dialog).getByRole('list', { name: 'Volumes to delete' }).querySelectorAll('li');
    expect([...candidates()].map((li) => li.dataset.name)).toEqual([ANON]);
    await vi.waitFor(() => expect(within(dialog).getByTestId('prune-summary').textContent).toBe('Will delete 1 volume, 2.05 kB'));

    fireEvent.click(within(dialog).getByRole('radio', { name: /All unused volumes/ }));
    expect([...candidates()].map((li) => li.dataset.name)).toEqual([ANON, 'scratch']);
    expect(within(dialog).getByTestId('prune-summary').textContent).toBe('Will delete 2 volumes, 3.05 kB');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete 2 volumes' }));

    const result = await within(dialog).findByTestId('prune-result');
    expect(result.textContent).toBe('Deleted 2 volumes · 3.05 kB reclaimed');
    expect(within(dialog).getByRole('list', { name: 'Deleted volumes' }).textContent).toContain('scratch');
    expect(host.calls.find((c) => c.ch === 'volumes.prune')?.args).toEqual({ all: true });
  });
});
