// Keyboard use of a list's rows with a roving tabindex: Tab reaches the list once (the last row used), Up/Down/
// Home/End move between rows, Enter opens the row, Delete (or Backspace) asks to delete it, Space toggles its
// selection. Rows are the elements with `data-row-key`; keys act only while the row itself has focus, so the
// buttons inside a row keep theirs. The tabindex is kept on the DOM directly, so memoized rows need no new props.
import { useEffect, useRef, useState } from 'react';

export const ROW_KEY_ATTR = 'data-row-key';
const ROW = `[${ROW_KEY_ATTR}]`;

export interface RowNavigationOptions {
  /** Remembers the active row under this name while the list is away (a detail view replaced it); when the list
   *  comes back and nothing has focus, that row gets it again. */
  memoryKey?: string;
  onOpen?(key: string): void;
  onDelete?(key: string): void;
  onToggle?(key: string): void;
}

const remembered = new Map<string, string>();

function rowsIn(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(ROW)];
}

const keyOf = (row: HTMLElement) => row.getAttribute(ROW_KEY_ATTR) ?? '';

/** Returns a ref callback for the element holding the rows (a table, a list). */
export function useRowNavigation(options: RowNavigationOptions): (el: HTMLElement | null) => void {
  const [container, setContainer] = useState<HTMLElement | null>(null);
  const latest = useRef(options);
  useEffect(() => { latest.current = options; });

  useEffect(() => {
    if (!container) return;
    const memoryKey = latest.current.memoryKey;
    let active = memoryKey ? remembered.get(memoryKey) : undefined;
    const setActive = (key: string) => { active = key; if (memoryKey) remembered.set(memoryKey, key); };

    // Exactly one row is in the Tab order: the active one if it still exists, else the first.
    const sync = () => {
      const rows = rowsIn(container);
      const current = rows.find((r) => keyOf(r) === active) ?? rows[0];
      for (const r of rows) {
        const want = r === current ? 0 : -1;
        if (r.tabIndex !== want || !r.hasAttribute('tabindex')) r.tabIndex = want;
      }
    };
    const moveTo = (row: HTMLElement | undefined) => {
      if (!row) return;
      setActive(keyOf(row));
      sync();
      row.focus();
    };

    const onKey = (e: KeyboardEvent) => {
      const row = e.target instanceof HTMLElement && e.target.matches(ROW) ? e.target : undefined;
      if (!row || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const rows = rowsIn(container);
      const i = rows.indexOf(row);
      const key = keyOf(row);
      const { onOpen, onDelete, onToggle } = latest.current;
      switch (e.key) {
        case 'ArrowDown': moveTo(rows[Math.min(i + 1, rows.length - 1)]); break;
        case 'ArrowUp': moveTo(rows[Math.max(i - 1, 0)]); break;
        case 'Home': moveTo(rows[0]); break;
        case 'End': moveTo(rows[rows.length - 1]); break;
        case 'Enter': if (!onOpen) return; onOpen(key); break;
        case 'Delete': case 'Backspace': if (!onDelete) return; onDelete(key); break;
        case ' ': if (!onToggle) return; onToggle(key); break;
        default: return;
      }
      e.preventDefault();
    };
    // Focus landing anywhere in a row (a click on its button too) makes that row the list's Tab stop.
    const onFocus = (e: FocusEvent) => {
      const row = e.target instanceof HTMLElement ? e.target.closest<HTMLElement>(ROW) : null;
      if (row && container.contains(row) && keyOf(row) !== active) { setActive(keyOf(row)); sync(); }
    };

    sync();
    const focusLost = !document.activeElement || document.activeElement === document.body;
    if (focusLost && active) rowsIn(container).find((r) => keyOf(r) === active)?.focus();
    const observer = new MutationObserver(sync);
    observer.observe(container, { childList: true, subtree: true });
    container.addEventListener('keydown', onKey);
    container.addEventListener('focusin', onFocus);
    return () => {
      observer.disconnect();
      container.removeEventListener('keydown', onKey);
      container.removeEventListener('focusin', onFocus);
    };
  }, [container]);

  return setContainer;
}
