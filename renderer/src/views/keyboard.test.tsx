// @vitest-environment jsdom
// The lists used with the keyboard only: rows by arrow keys, Enter opens, Delete asks, Space selects, Escape
// closes and focus comes back to the row it left.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageRow, VolumeRow } from '@berth/electron/shared/types.js';
import { setBerth } from '../api/berth.js';
import { useGlobalShortcuts } from '../lib/keyboard/shortcuts.js';
import { useNav } from '../stores/nav.js';
import { useContainers, useImages, useVolumes } from '../stores/resources.js';
import { CONTAINER_ROWS, fakeHost } from '../test/fake-host.js';
import { ContainersView } from './containers/ContainersView.js';
import { ImagesView } from './images/ImagesView.js';
import { VolumesView } from './VolumesView.js';

const IMAGES: ImageRow[] = [
  { id: 'sha256:aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111', tags: ['busybox:latest'], digests: [], size: 2_000_000, created: 1_700_000_000, containers: 0 },
  { id: 'sha256:bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222', tags: ['nginx:1.27'], digests: [], size: 70_000_000, created: 1_700_000_100, containers: 1 },
];

const VOLUMES: VolumeRow[] = ['cache', 'data'].map((name) => ({ name, driver: 'local', mountpoint: `/var/lib/berth/volumes/${name}/_data`, labels: {}, size: -1, usedBy: [] }));

beforeEach(() => {
  setBerth(fakeHost({ 'containers.list': () => CONTAINER_ROWS, 'images.list': () => IMAGES, 'volumes.list': () => VOLUMES }).api);
  useVolumes.setState({ items: [], loading: true, error: undefined });
  useContainers.setState({ items: [], loading: true, error: undefined });
  useImages.setState({ items: [], loading: true, error: undefined });
  useNav.setState({ view: 'containers', containerId: undefined, imageId: undefined });
});
afterEach(cleanup);

/** The view inside <main> with the app-wide keys, as App renders it. */
function InApp({ children }: { children: ReactNode }) {
  useGlobalShortcuts(useNav((s) => s.go));
  return <main>{children}</main>;
}

const key = (el: Element, k: string) => fireEvent.keyDown(el, { key: k });
const focused = () => document.activeElement as HTMLElement;

describe('Images with the keyboard', () => {
  it('arrows to a row, Enter opens its details, Escape closes them and focus is back on the row', async () => {
    useNav.setState({ view: 'images' });
    render(<InApp><ImagesView /></InApp>);
    const search = screen.getByRole('searchbox', { name: 'Search images' });
    await screen.findByText('nginx:1.27');
    key(document.body, '/');
    expect(focused()).toBe(search);
    key(search, 'ArrowDown');
    expect(focused().dataset.name).toBe('busybox:latest');
    key(focused(), 'ArrowDown');
    const row = focused();
    expect(row.dataset.name).toBe('nginx:1.27');
    key(row, 'Enter');
    const drawer = await screen.findByRole('dialog', { name: 'bbbb2222bbbb' });
    expect(drawer.contains(focused())).toBe(true);
    key(focused(), 'Escape');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(focused()).toBe(row);
  });

  it('Delete on a row asks first, with Cancel focused', async () => {
    render(<ImagesView />);
    await screen.findByText('busybox:latest');
    const row = screen.getAllByTestId('image-row')[0]!;
    row.focus();
    key(row, 'Delete');
    const dialog = screen.getByRole('dialog', { name: 'Delete busybox:latest?' });
    expect(focused()).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    key(focused(), 'Escape');
    expect(focused()).toBe(row);
  });
});

describe('Containers with the keyboard', () => {
  it('Space selects the focused row; Enter opens it; Back returns focus to it', async () => {
    render(<ContainersView />);
    await screen.findByText('happy_turing');
    const row = () => screen.getAllByTestId('container-row').find((r) => r.dataset.name === 'happy_turing')!;
    row().focus();
    key(row(), ' ');
    expect((screen.getByRole('checkbox', { name: 'Select happy_turing' }) as HTMLInputElement).checked).toBe(true);
    expect(within(screen.getByRole('group', { name: 'Selected containers' })).getByText('1 selected')).toBeTruthy();
    key(row(), 'Enter');
    const heading = await screen.findByRole('heading', { name: 'happy_turing', level: 1 });
    expect(focused()).toBe(heading);
    fireEvent.click(screen.getByRole('button', { name: 'Back to containers' }));
    await screen.findByRole('table', { name: 'Containers' });
    expect(focused()).toBe(row());
  });
});

describe('Volumes with the keyboard', () => {
  it('End goes to the last volume, Enter opens it, Delete asks about it', async () => {
    render(<VolumesView />);
    await screen.findByText('data');
    const first = screen.getAllByTestId('volume-row')[0]!;
    first.focus();
    key(first, 'End');
    expect(focused().dataset.name).toBe('data');
    key(focused(), 'Enter');
    const drawer = await screen.findByRole('dialog', { name: /data/ });
    key(focused(), 'Escape');
    expect(drawer.isConnected).toBe(false);
    key(focused(), 'Delete');
    expect(screen.getByRole('dialog', { name: 'Delete volume data?' })).toBeTruthy();
  });
});
