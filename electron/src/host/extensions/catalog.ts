// The extension catalog: a JSON list of `{image, title, description?, vendor?, icon?}` read from a configurable
// source (an http(s) URL or a file). Berth has no marketplace of its own; an unreadable catalog is reported in
// the view and never breaks installed extensions or "Install from image".
import { readFile } from 'node:fs/promises';
import type { CatalogEntry, CatalogResult } from '../../shared/extension-types.js';

function entries(raw: unknown): CatalogEntry[] {
  const list = Array.isArray(raw) ? raw : (raw as { extensions?: unknown })?.extensions;
  if (!Array.isArray(list)) throw new Error('the catalog is not a JSON list of extensions');
  return list.map((e, i) => {
    const o = (e ?? {}) as Record<string, unknown>;
    if (typeof o.image !== 'string' || typeof o.title !== 'string') throw new Error(`catalog entry ${i} needs "image" and "title"`);
    const s = (k: string) => (typeof o[k] === 'string' ? { [k]: o[k] as string } : {});
    return { image: o.image, title: o.title, ...s('description'), ...s('vendor'), ...s('icon') };
  });
}

export async function readCatalog(source: string | undefined, timeoutMs = 5_000): Promise<CatalogResult> {
  if (!source) return { entries: [] };
  try {
    let text: string;
    if (/^https?:\/\//.test(source)) {
      const res = await fetch(source, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      text = await res.text();
    } else {
      text = await readFile(source.replace(/^file:\/\//, ''), 'utf8');
    }
    return { source, entries: entries(JSON.parse(text)) };
  } catch (e) {
    const err = e as Error & { cause?: { message?: string } };
    return { source, entries: [], error: `could not load the extension catalog from ${source}: ${err.cause?.message ?? err.message}` };
  }
}
