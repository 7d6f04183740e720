// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageHistoryRow, ImageRow } from '@berth/electron/shared/types.js';
import { setBerth } from '../../api/berth.js';
import { useNav } from '../../stores/nav.js';
import { useImages } from '../../stores/resources.js';
import { fakeHost, type FakeHost } from '../../test/fake-host.js';
import { historyCommand, ImageHistory } from './ImageHistory.js';
import { ImagesView } from './ImagesView.js';

const IMAGES: ImageRow[] = [
  { id: 'sha256:aaaaaaaaaaaa1111', tags: [], digests: [], size: 4_000_000, created: 1732200000, containers: 0 },
  { id: 'sha256:bbbbbbbbbbbb2222', tags: ['busybox:old'], digests: [], size: 2_000_000, created: 1732100000, containers: 0 },
  { id: 'sha256:cccccccccccc3333', tags: ['nginx:1.27'], digests: [], size: 70_000_000, created: 1732000000, containers: 1 },
];

let host: FakeHost;
beforeEach(() => {
  host = fakeHost({
    'images.list': () => IMAGES,
    'images.prune': () => ({ deleted: 1, spaceReclaimed: 4_000_000, removed: ['aaaaaaaaaaaa'] }),
  });
  setBerth(host.api);
  useImages.setState({ items: [], loading: true, error: undefined });
  useNav.setState({ view: 'images', imageId: undefined });
});
afterEach(() => { cleanup(); vi.restoreAllMocks(); });

describe('image prune dialog', () => {
  it('shows dangling images by default and every unused one on request, then what the engine removed', async () => {
    render(<ImagesView />);
    await screen.findByText('busybox:old');
    fireEvent.click(screen.getByRole('button', { name: 'Prune' }));
    const dialog = screen.getByRole('dialog', { name: 'Prune images' });
    const names = () => [...within(dialog).getByRole('list', { name: 'Images to delete' }).querySelectorAll('li')].map((li) => li.dataset.name);
    expect(within(dialog).getByRole('radio', { name: /Dangling images only/ })).toHaveProperty('checked', true);
    expect(names()).toEqual(['<none>']);
    expect(within(dialog).getByTestId('prune-summary').textContent).toBe('Will delete 1 image, at most 4.00 MB');
    fireEvent.click(within(dialog).getByRole('radio', { name: /All unused images/ }));
    expect(names()).toEqual(['<none>', 'busybox:old']);
    expect(within(dialog).getByTestId('prune-summary').textContent).toBe('Will delete 2 images, at most 6.00 MB');
    fireEvent.click(within(dialog).getByRole('radio', { name: /Dangling images only/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete 1 image' }));
    expect((await within(dialog).findByTestId('prune-result')).textContent).toBe('Deleted 1 image · 4.00 MB reclaimed');
    expect(within(dialog).getByRole('list', { name: 'Deleted images' }).textContent).toBe('aaaaaaaaaaaa');
    expect(host.calls.find((c) => c.ch === 'images.prune')?.args).toEqual({ dangling: true });
  });
});

describe('image history', () => {
  const HISTORY: ImageHistoryRow[] = [
    { id: 'sha256:top', created: 1732200000, createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', size: 0, comment: '' },
    { id: '<missing>', created: 1732199000, createdBy: '|1 VERSION=2 /bin/sh -c apk add curl', size: 5_200_000, comment: '' },
    { id: '<missing>', created: 1732100000, createdBy: 'COPY rootfs / # buildkit', size: 4_400_000, comment: 'buildkit.dockerfile.v0' },
  ];

  it('turns history entries into instructions', () => {
    expect(historyCommand('/bin/sh -c #(nop)  CMD ["sh"]')).toBe('CMD ["sh"]');
    expect(historyCommand('/bin/sh -c apk add curl')).toBe('RUN apk add curl');
    expect(historyCommand('|1 VERSION=2 /bin/sh -c make')).toBe('RUN make');
    expect(historyCommand('RUN /bin/sh -c make # buildkit')).toBe('RUN /bin/sh -c make # buildkit');
  });

  it('shows steps with size, comment, empty layers dimmed, and copies a command', async () => {
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<ImageHistory history={HISTORY} layers={[]} />);
    const rows = screen.getAllByTestId('history-row');
    expect(rows.map((r) => r.getAttribute('data-empty'))).toEqual(['true', 'false', 'false']);
    expect(rows[1]!.textContent).toContain('RUN apk add curl');
    expect(rows[1]!.textContent).toContain('5.20 MB');
    expect(rows[2]!.textContent).toContain('buildkit.dockerfile.v0');
    expect(screen.getByText(/3 steps, 2 with a layer/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Copy command of step 2' }));
    await screen.findByText('Copied');
    expect(writeText).toHaveBeenCalledWith('RUN apk add curl');
  });
});
