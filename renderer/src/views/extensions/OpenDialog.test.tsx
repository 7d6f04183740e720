// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileEntry, HostDirListing } from '@berth/electron/shared/types.js';
import { setBerth } from '../../api/berth.js';
import { fakeHost } from '../../test/fake-host.js';
import { openDialogMode, useOpenDialog } from './open-dialog.js';
import { OpenDialogHost } from './OpenDialog.js';

afterEach(cleanup);

const entry = (dir: string, name: string, kind: FileEntry['kind'] = 'file'): FileEntry => ({ name, path: `${dir}/${name}`, kind, size: 3, mode: 0o644, mtime: 0 });
const TREE: Record<string, HostDirListing> = {
  '/data': { path: '/data', parent: '/', entries: [entry('/data', 'sub', 'dir'), entry('/data', 'a.txt'), entry('/data', 'B.TXT'), entry('/data', 'c.log'), entry('/data', '.hidden.txt')] },
  '/data/sub': { path: '/data/sub', parent: '/data', entries: [entry('/data/sub', 'd.txt')] },
};

function setup() {
  const host = fakeHost({
    'host.listDir': (args) => {
      const l = TREE[(args as { path?: string }).path ?? '/data'];
      if (!l) throw { code: 'not_found', message: `${(args as { path: string }).path}: no such file or directory` };
      return l;
    },
  });
  setBerth(host.api);
  const view = render(<OpenDialogHost />);
  return { host, view };
}
const names = () => screen.queryAllByTestId('open-dialog-row').map((r) => r.dataset.name);

describe('openDialogMode (Electron\'s options from an extension)', () => {
  it('defaults to one file, reads folders, several, hidden files and filters, and ignores junk', () => {
    expect(openDialogMode({})).toEqual({ files: true, folders: false, multi: false, hidden: false, filters: [] });
    expect(openDialogMode({ properties: ['openDirectory', 'multiSelections', 'showHiddenFiles'], title: 'Pick', buttonLabel: 'Use' }))
      .toEqual({ files: false, folders: true, multi: true, hidden: true, filters: [], title: 'Pick', buttonLabel: 'Use' });
    expect(openDialogMode({ properties: 'openDirectory', filters: [{ name: 'Images', extensions: ['.PNG', 3] }, { extensions: 'x' }, null] }).filters)
      .toEqual([{ name: 'Images', extensions: ['png'] }]);
  });
});

describe('the dashboard\'s open dialog', () => {
  it('shows what the filter allows, walks folders, and answers only the picked paths', async () => {
    const { host } = setup();
    const answer = useOpenDialog.getState().ask('Hello UI', { properties: ['openFile', 'multiSelections'], filters: [{ name: 'Text', extensions: ['txt'] }], defaultPath: '/data' });
    await vi.waitFor(() => expect(names()).toEqual(['sub', 'a.txt', 'B.TXT']));
    expect(screen.getByText(/Hello UI asks you to pick files on this machine/)).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Pick a.txt'));
    fireEvent.click(screen.getByRole('button', { name: 'sub' }));
    await vi.waitFor(() => expect(names()).toEqual(['d.txt']));
    fireEvent.click(screen.getByLabelText('Pick d.txt'));
    fireEvent.click(screen.getByRole('button', { name: 'Parent folder' }));
    await vi.waitFor(() => expect(names()).toContain('a.txt'));
    fireEvent.click(screen.getByLabelText('Pick a.txt'));
    fireEvent.click(screen.getByLabelText('Pick B.TXT'));
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    expect(await answer).toEqual({ canceled: false, filePaths: ['/data/a.txt', '/data/B.TXT'] });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(host.calls.map((c) => c.args)).toEqual([{ path: '/data' }, { path: '/data/sub' }, { path: '/data' }]);
  });

  it('picks the folder it shows in folder mode, says why a typed path fails, and Cancel answers canceled', async () => {
    setup();
    const folder = useOpenDialog.getState().ask('Hello UI', { properties: ['openDirectory'], defaultPath: '/data', buttonLabel: 'Use folder' });
    await vi.waitFor(() => expect(names()).toEqual(['sub']));
    fireEvent.change(screen.getByLabelText('Folder'), { target: { value: '/nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Go' }));
    await vi.waitFor(() => expect(screen.getByRole('alert').textContent).toBe('/nope: no such file or directory'));
    await expect(useOpenDialog.getState().ask('Other', {})).rejects.toThrow('an open dialog is already showing');
    fireEvent.click(screen.getByRole('button', { name: 'Use folder' }));
    expect(await folder).toEqual({ canceled: false, filePaths: ['/data'] });

    const canceled = useOpenDialog.getState().ask('Hello UI', { defaultPath: '/data' });
    await vi.waitFor(() => expect(names()).toContain('c.log'));
    expect((screen.getByRole('button', { name: 'Open' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await canceled).toEqual({ canceled: true, filePaths: [] });
  });

  it('answers canceled when the tab is left while it shows', async () => {
    const { view } = setup();
    const left = useOpenDialog.getState().ask('Hello UI', { defaultPath: '/data' });
    await vi.waitFor(() => expect(names()).toContain('a.txt'));
    view.unmount();
    expect(await left).toEqual({ canceled: true, filePaths: [] });
  });
});
