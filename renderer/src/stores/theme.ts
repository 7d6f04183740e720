import { create } from 'zustand';

export type Theme = 'light' | 'dark' | 'system';

const KEY = 'berth-theme';

function stored(): Theme {
  const v = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function effectiveTheme(theme: Theme, prefersDark: boolean): 'light' | 'dark' {
  return theme === 'system' ? (prefersDark ? 'dark' : 'light') : theme;
}

interface ThemeState {
  theme: Theme;
  setTheme(t: Theme): void;
}

export const useTheme = create<ThemeState>((set) => ({
  theme: stored(),
  setTheme: (theme) => {
    localStorage.setItem(KEY, theme);
    set({ theme });
  },
}));
