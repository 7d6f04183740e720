// App-wide keys: "/" focuses the current view's search box, Down from a search box goes to the list's rows, and
// "g" then a letter goes to a view (g c containers, g i images, g v volumes, g n networks, g s settings,
// g t troubleshoot). None of them fire while typing in a field or while a dialog holds the keyboard.
import { useEffect } from 'react';
import type { View } from '../../stores/nav.js';
import { isEditable } from './focusable.js';
import { trapIsOpen } from './focus-trap.js';
import { ROW_KEY_ATTR } from './row-navigation.js';

export const GO_KEYS: Record<string, View> = {
  c: 'containers', i: 'images', v: 'volumes', n: 'networks', s: 'settings', t: 'troubleshoot', x: 'extensions',
};
/** How long after "g" the second key still counts. */
const CHORD_MS = 1500;

export function searchBox(): HTMLInputElement | null {
  return document.querySelector<HTMLInputElement>('main input[type="search"]');
}

export function useGlobalShortcuts(go: (view: View) => void): void {
  useEffect(() => {
    let gAt = 0;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target;
      if (isEditable(target)) {
        if (e.key === 'ArrowDown' && target instanceof HTMLInputElement && target.type === 'search') {
          const row = target.closest('main')?.querySelector<HTMLElement>(`[${ROW_KEY_ATTR}][tabindex="0"]`);
          if (row) { e.preventDefault(); row.focus(); }
        }
        return;
      }
      if (trapIsOpen()) return;
      if (e.key === '/') {
        const box = searchBox();
        if (box) { e.preventDefault(); box.focus(); box.select(); }
        return;
      }
      const view = GO_KEYS[e.key];
      if (view && Date.now() - gAt < CHORD_MS) {
        gAt = 0;
        e.preventDefault();
        go(view);
        return;
      }
      gAt = e.key === 'g' ? Date.now() : 0;
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [go]);
}
