// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setBerth } from '../../api/berth.js';
import { REFETCH_DEBOUNCE_MS } from '../../stores/list-store.js';
import { useNav } from '../../stores/nav.js';
import { useContainers } from '../../stores/resources.js';
import { CONTAINER_ROWS, fakeHost, type FakeHost } from '../../test/fake-host.js';
import { ContainersView } from './ContainersView.js';
import { StatsPanel } from './StatsPanel.js';

let host: FakeHost;
let rows = CONTAINER_ROWS;

beforeEach(() => {
  rows = CONTAINER_ROWS;
  host = fakeHost({
    'containers.list': () => rows,
    'containers.rows': (args) => rows.filter((r) => (args as { ids: string[] }).ids.includes(r.id)),
    'containers.action': () => null,
  }, {
    'containers.stats': (_args, emit) => {
      emit({ at: 1000, cpuPercent: 12.5, memoryBytes: 41943040, memoryLimitBytes: 8589934592, netRxBytes: 5000, netTxBytes: 3000, blockReadBytes: 1048576, blockWriteBytes: 4096, pids: 3 });
    },
  });
  setBerth(host.api);
  useContainers.setState({ items: [], loading: true, error: undefined });
  useNav.setState({ view: 'containers', containerId: undefined });
});
afterEach(() => { cleanup(); vi.useRealTimers(); });

describe('ContainersView', () => {
  it('groups containers by Compose project, with status and published ports as links', async () => {
    render(<ContainersView />);
    const table = await screen.findByRole('table', { name: 'Containers' });
    await within(table).findByText('web');
    const group = within(table).getByTestId('compose-group');
    expect(group.textContent).toContain('shop');
    expect(group.textContent).toContain('2/2 running');
    expect(within(table).getByRole('link', { name: '0.0.0.0:8080->80/tcp' }).getAttribute('href')).toBe('http://localhost:8080');
    expect(screen.getByText('2 running · 3 total')).toBeTruthy();
  });

  it('stops a container from its row and bulk-starts the selected ones', async () => {
    render(<ContainersView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Stop shop-web-1' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select happy_turing' }));
    fireEvent.click(within(screen.getByRole('group', { name: 'Selected containers' })).getByRole('button', { name: 'Start' }));
    await vi.waitFor(() => expect(host.calls.filter((c) => c.ch === 'containers.action').map((c) => c.args)).toEqual([
      { id: CONTAINER_ROWS[0]!.id, action: 'stop' },
      { id: CONTAINER_ROWS[2]!.id, action: 'start' },
    ]));
  });

  it('refetches once, debounced, when the host says containers changed', async () => {
    render(<ContainersView />);
    await screen.findByText('happy_turing');
    const lists = () => host.calls.filter((c) => c.ch === 'containers.list').length;
    const before = lists();
    rows = CONTAINER_ROWS.slice(0, 2);
    vi.useFakeTimers();
    await act(async () => {
      for (const action of ['die', 'destroy', 'start']) host.event('changed', { resource: 'containers', action });
      host.event('changed', { resource: 'volumes', action: 'create' });
      await vi.advanceTimersByTimeAsync(REFETCH_DEBOUNCE_MS + 10);
    });
    vi.useRealTimers();
    expect(lists()).toBe(before + 1);
    await vi.waitFor(() => expect(screen.queryByText('happy_turing')).toBeNull());
  });

  it('patches just the rows an event names: renamed, added and destroyed containers, without a full refetch', async () => {
    render(<ContainersView />);
    await screen.findByText('happy_turing');
    const lists = () => host.calls.filter((c) => c.ch === 'containers.list').length;
    const before = lists();
    const untouched = useContainers.getState().items[0];
    const added = { ...CONTAINER_ROWS[2]!, id: 'a'.repeat(64), name: 'brave_hopper' };
    rows = [CONTAINER_ROWS[0]!, CONTAINER_ROWS[1]!, { ...CONTAINER_ROWS[2]!, name: 'renamed_turing' }, added];
    await act(async () => {
      host.event('changed', { resource: 'containers', action: 'rename', id: CONTAINER_ROWS[2]!.id });
      host.event('changed', { resource: 'containers', action: 'create', id: added.id });
    });
    await screen.findByText('renamed_turing');
    await screen.findByText('brave_hopper');
    expect(host.calls.filter((c) => c.ch === 'containers.rows').map((c) => c.args)).toEqual([{ ids: [CONTAINER_ROWS[2]!.id, added.id] }]);
    expect(useContainers.getState().items[1]).toBe(untouched);
    rows = rows.filter((r) => r.id !== added.id);
    await act(async () => { host.event('changed', { resource: 'containers', action: 'destroy', id: added.id }); });
    await vi.waitFor(() => expect(screen.queryByText('brave_hopper')).toBeNull());
    expect(lists()).toBe(before);
  });

  it('shows the engine message and what to do when the engine cannot list containers', async () => {
    host = fakeHost({ 'containers.list': () => { throw { code: 'engine_down', message: 'Cannot reach the engine (ENOENT).', hint: 'Start the engine, then try again.' }; } });
    setBerth(host.api);
    render(<ContainersView />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The engine is not reachable');
    expect(alert.textContent).toContain('Cannot reach the engine (ENOENT).');
    expect(alert.textContent).toContain('Start the engine, then try again.');
  });
});

describe('StatsPanel', () => {
  it('shows the latest CPU, memory, network and block I/O from the stats stream', async () => {
    render(<StatsPanel id="abc" running />);
    await screen.findByText('12.5%');
    expect(screen.getByText('41.9 MB / 8.59 GB')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'CPU chart' })).toBeTruthy();
    expect(host.calls).toContainEqual({ ch: 'containers.stats', args: { id: 'abc' } });
  });
});
