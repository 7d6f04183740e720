// Modal focus for dialogs and drawers: focus moves in when one opens, Tab and Shift+Tab cycle inside it, Escape
// closes the topmost one only, and focus goes back to what opened it.
import { useEffect, useRef, type RefObject } from 'react';
import { focusables } from './focusable.js';

/** Open traps, innermost last: only the last one answers keys. */
const open: HTMLElement[] = [];

/** Whether a dialog or drawer holds the keyboard now (global shortcuts stand aside then). */
export function trapIsOpen(): boolean {
  return open.length > 0;
}

export interface FocusTrapOptions {
  onEscape(): void;
  /** The element to focus first; default: the first focusable one, else the container itself. */
  initialFocus?: (root: HTMLElement) => HTMLElement | null | undefined;
}

export function useFocusTrap(ref: RefObject<HTMLElement | null>, options: FocusTrapOptions): void {
  // The latest callbacks without re-running the effect: a re-render of the opener must not move focus.
  const latest = useRef(options);
  useEffect(() => { latest.current = options; });

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    open.push(root);
    (latest.current.initialFocus?.(root) ?? focusables(root)[0] ?? root).focus();

    const onKey = (e: KeyboardEvent) => {
      if (open[open.length - 1] !== root || e.defaultPrevented) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        latest.current.onEscape();
        return;
      }
      if (e.key !== 'Tab' || !root.contains(document.activeElement)) return;
      const items = focusables(root);
      const first = items[0];
      const last = items[items.length - 1];
      const at = document.activeElement;
      if (!first || !last) { e.preventDefault(); return; }
      if (e.shiftKey && (at === first || at === root)) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && at === last) { e.preventDefault(); first.focus(); }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      open.splice(open.indexOf(root), 1);
      // Back to the opener, unless the user has since put focus somewhere else on purpose.
      const now = document.activeElement;
      const lost = !now || now === document.body || root.contains(now);
      if (lost && opener?.isConnected) opener.focus();
    };
  }, [ref]);
}
