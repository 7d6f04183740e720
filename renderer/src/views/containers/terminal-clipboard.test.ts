// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { copySelection, isCopyKey, isPasteKey, pasteClipboard } from './terminal-clipboard.js';

let clipboard = '';
function installClipboard(): void {
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (t: string) => { clipboard = t; }, readText: async () => clipboard },
  });
}
afterEach(() => { Reflect.deleteProperty(navigator, 'clipboard'); clipboard = ''; });

/** The part of xterm's Terminal these use (xterm itself needs a real browser: the e2e drives it in Chromium). */
function terminal(selection: string) {
  const input: string[] = [];
  return { input, getSelection: () => selection, paste: (d: string) => { input.push(d); }, focus: () => undefined };
}

describe('terminal copy and paste', () => {
  it('copies the selected text and pastes the clipboard as terminal input', async () => {
    installClipboard();
    expect(await copySelection(terminal(''))).toBe(0);
    expect(clipboard).toBe('');
    expect(await copySelection(terminal('clip-42'))).toBe(7);
    expect(clipboard).toBe('clip-42');
    const term = terminal('');
    expect(await pasteClipboard(term)).toBe(true);
    expect(term.input).toEqual(['clip-42']);
  });

  it('takes Ctrl+Shift+C and Ctrl+Shift+V, and leaves Ctrl+C to the shell', () => {
    const key = (code: string, init: KeyboardEventInit) => new KeyboardEvent('keydown', { code, ...init });
    expect(isCopyKey(key('KeyC', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(isPasteKey(key('KeyV', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(isCopyKey(key('KeyC', { ctrlKey: true }))).toBe(false);
    expect(isPasteKey(key('KeyV', { ctrlKey: true, shiftKey: true, altKey: true }))).toBe(false);
  });
});
