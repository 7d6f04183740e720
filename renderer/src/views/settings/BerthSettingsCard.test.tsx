// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BerthSettings, HostSettings } from '@berth/electron/shared/types.js';
import { setBerth } from '../../api/berth.js';
import { fakeHost } from '../../test/fake-host.js';
import { BerthSettingsCard } from './BerthSettingsCard.js';

const SAVED: BerthSettings = {
  path: '/home/ann/.berth/settings.json', cpus: 2, memoryMiB: 2048, diskGiB: 64, sharedFolders: ['/home/ann'],
  registryMirrors: [], insecureRegistries: [], startAtLogin: false, keepEngineOnQuit: false,
  limits: { maxCpus: 4, maxMemoryMiB: 8192, minDiskGiB: 64, maxDiskGiB: 4096 }, restartReasons: [], canRestart: true,
};

afterEach(cleanup);

function setup(saved: BerthSettings = SAVED) {
  const host = fakeHost({
    'settings.save': (change) => ({ endpoint: 'unix:///x', berth: { ...saved, ...(change as object), restartReasons: ['CPUs 2 → 3'] } }),
    'settings.get': () => ({ endpoint: 'unix:///x', berth: { ...saved, restartReasons: [] } }),
    'engine.restart': () => null,
  });
  setBerth(host.api);
  const changes: HostSettings[] = [];
  const view = render(<BerthSettingsCard settings={saved} onChange={(s) => changes.push(s)} />);
  return { host, changes, view };
}

describe('BerthSettingsCard', () => {
  it('explains an invalid value next to its field and will not save it', () => {
    setup();
    fireEvent.change(screen.getByLabelText('CPUs'), { target: { value: '9' } });
    expect(screen.getByRole('alert').textContent).toBe('CPUs must be a whole number from 1 to 4 (this computer has 4).');
    expect(screen.getByLabelText('CPUs').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByRole('button', { name: 'Save settings' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Insecure registries'), { target: { value: 'http://r.local' } });
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain('"http://r.local": give the registry as host[:port], without http:// or https://');
  });

  it('sends only what changed, then shows what needs a VM restart and restarts it', async () => {
    const { host, changes, view } = setup();
    fireEvent.change(screen.getByLabelText('CPUs'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('Registry mirrors'), { target: { value: 'https://mirror.example\n' } });
    fireEvent.click(screen.getByLabelText('Start Berth when I log in'));
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await vi.waitFor(() => expect(changes).toHaveLength(1));
    expect(host.calls.find((c) => c.ch === 'settings.save')!.args).toEqual({ cpus: 3, registryMirrors: ['https://mirror.example'], startAtLogin: true });
    view.rerender(<BerthSettingsCard settings={changes[0]!.berth!} onChange={(s) => changes.push(s)} />);
    expect(screen.getByRole('status', { name: 'Restart needed' }).textContent).toContain('CPUs 2 → 3');
    fireEvent.click(screen.getByRole('button', { name: 'Restart VM' }));
    await vi.waitFor(() => expect(host.calls.map((c) => c.ch)).toContain('engine.restart'));
    await vi.waitFor(() => expect(changes).toHaveLength(2));
  });

  it('points at the CLI when this host cannot restart the VM', () => {
    setup({ ...SAVED, restartReasons: ['memory 2048 MiB → 4096 MiB'], canRestart: false });
    expect(screen.queryByRole('button', { name: 'Restart VM' })).toBeNull();
    expect(screen.getByRole('status', { name: 'Restart needed' }).textContent).toContain('berth restart');
  });
});
