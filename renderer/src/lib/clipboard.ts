// The system clipboard through the async Clipboard API, with the older document.execCommand path where the API is
// missing or refused (an insecure origin, a denied permission; Electron allows execCommand('paste')).

/** Puts `text` on the clipboard; throws when neither way works. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // fall through to the selection-based copy
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  before?.focus();
  if (!ok) throw new Error('The clipboard is not available here.');
}

/** The clipboard's text, or undefined when the page may not read it (then a native paste is the way). */
export async function readText(): Promise<string | undefined> {
  try {
    return await navigator.clipboard.readText();
  } catch {
    return undefined;
  }
}
