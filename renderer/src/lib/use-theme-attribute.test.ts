// @vitest-environment jsdom
// The theme the user picks is shown at once and told to the host (the Electron shell makes it the native theme).
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, expect, it } from 'vitest';
import { setBerth } from '../api/berth.js';
import { useTheme } from '../stores/theme.js';
import { fakeHost } from '../test/fake-host.js';
import { useThemeAttribute } from './use-theme-attribute.js';

afterEach(cleanup);

it('tells the host the theme at start and on every change, and shows it', async () => {
  const host = fakeHost({ 'settings.theme': () => undefined });
  setBerth(host.api);
  useTheme.setState({ theme: 'system' });
  renderHook(() => useThemeAttribute());
  act(() => useTheme.getState().setTheme('dark'));
  expect(document.documentElement.dataset.theme).toBe('dark');
  expect(host.calls.filter((c) => c.ch === 'settings.theme').map((c) => c.args)).toEqual([{ theme: 'system' }, { theme: 'dark' }]);
});
