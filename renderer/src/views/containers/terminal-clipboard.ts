// Copy and paste for the exec terminal, as in desktop terminals: Ctrl+Shift+C copies the selection, Ctrl+Shift+V
// pastes (plain Ctrl+C stays the interrupt the shell expects). A browser paste (Ctrl+V, the Edit menu, middle
// click) reaches xterm's own paste handling unchanged.
import type { Terminal } from '@xterm/xterm';
import { copyText, readText } from '../../lib/clipboard.js';

/** Copies the terminal's selection; resolves to the number of characters copied (0: nothing was selected). */
export async function copySelection(term: Pick<Terminal, 'getSelection'>): Promise<number> {
  const text = term.getSelection();
  if (!text) return 0;
  await copyText(text);
  return text.length;
}

/** Pastes the clipboard into the terminal (bracketed paste if the program asked for it, which term.paste does). */
export async function pasteClipboard(term: Pick<Terminal, 'paste' | 'focus'>): Promise<boolean> {
  const text = await readText();
  if (text !== undefined) {
    if (text) term.paste(text);
    return true;
  }
  // No Clipboard API read here: a native paste into xterm's input field lands through its paste listener.
  term.focus();
  return document.execCommand('paste');
}

const withCtrlShift = (e: KeyboardEvent, code: string) => e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey && e.code === code;
export const isCopyKey = (e: KeyboardEvent): boolean => withCtrlShift(e, 'KeyC');
export const isPasteKey = (e: KeyboardEvent): boolean => withCtrlShift(e, 'KeyV');

/** Wires the shortcuts into the terminal; `report` hears what happened (for a status line or an error). */
export function attachClipboardKeys(term: Terminal, report: (what: { copied?: number; pasted?: boolean; error?: string }) => void): void {
  term.attachCustomKeyEventHandler((e) => {
    const copy = isCopyKey(e);
    const paste = isPasteKey(e);
    if (!copy && !paste) return true;
    // Ours, not the shell's, and not the browser's (its own paste would land a second time).
    e.preventDefault();
    if (e.type !== 'keydown') return false;
    if (copy) copySelection(term).then((n) => report({ copied: n }), (err: Error) => report({ error: err.message }));
    else pasteClipboard(term).then((ok) => report(ok ? { pasted: true } : { error: 'Could not read the clipboard: use your browser’s Paste (Ctrl+V).' }), (err: Error) => report({ error: err.message }));
    return false;
  });
}
