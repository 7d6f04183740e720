// The dashboard's theme (light, dark or the OS's) on <html data-theme>, and told to the host: the Electron shell
// makes it the app's native theme, so extension views' prefers-color-scheme follows it (other hosts ignore it).
import { useEffect } from 'react';
import { berth } from '../api/berth.js';
import { effectiveTheme, useTheme } from '../stores/theme.js';

export function useThemeAttribute(): void {
  const theme = useTheme((s) => s.theme);
  useEffect(() => { berth().invoke('settings.theme', { theme }).catch(() => undefined); }, [theme]);
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    const apply = () => { document.documentElement.dataset.theme = effectiveTheme(theme, mq?.matches ?? false); };
    apply();
    mq?.addEventListener?.('change', apply);
    return () => mq?.removeEventListener?.('change', apply);
  }, [theme]);
}
