// What the Electron shell lets an extension's <webview> be (src/main/extension-views.ts asks this on
// `will-attach-webview`, before the guest exists): the dashboard page only names the extension's URL and
// partition; the preferences are Berth's own, whatever the page asked for. A webview that is not exactly an
// installed extension's origin in that extension's partition is refused.
import type { InstalledExtension } from './store.js';
import { EXTENSION_SCHEME, viewHost, viewPartition } from './view-scheme.js';

/** The guest's webPreferences (Electron's names), the same for every extension view. */
export interface ViewPreferences {
  preload: string;
  partition: string;
  sandbox: true;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  /** DevTools stay available (`dev debug` opens them with the tab; Docker Desktop lets users open them too). */
  devTools: true;
}

export type WebviewDecision =
  | { allow: true; ext: InstalledExtension; webPreferences: ViewPreferences }
  | { allow: false; reason: string };

/** The installed extension a view URL belongs to, by its origin's host. */
export function extensionOfUrl(url: string, installed: InstalledExtension[]): InstalledExtension | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${EXTENSION_SCHEME}:`) return undefined;
  return installed.find((e) => viewHost(e.id) === u.host);
}

/**
 * Decides a `will-attach-webview`: `src` and `partition` as the page set them, `preload` the extension views' own
 * preload (src/preload/extension.cts, defining the bridge ddClient uses before any page script).
 */
export function decideWebview(params: { src?: string; partition?: string }, installed: InstalledExtension[], preload: string): WebviewDecision {
  const ext = params.src ? extensionOfUrl(params.src, installed) : undefined;
  if (!ext) return { allow: false, reason: `not an installed extension's view: ${params.src ?? '(no src)'}` };
  if (!ext.metadata.ui?.['dashboard-tab']) return { allow: false, reason: `extension ${ext.id} has no UI tab` };
  const partition = viewPartition(ext.id);
  if (params.partition !== partition) return { allow: false, reason: `extension ${ext.id} must run in its own partition ${partition}, not ${params.partition ?? 'the default one'}` };
  return {
    allow: true,
    ext,
    webPreferences: {
      preload, partition, sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInSubFrames: false,
      webSecurity: true, allowRunningInsecureContent: false, navigateOnDragDrop: false, spellcheck: false, devTools: true,
    },
  };
}

/** Where a view may navigate itself: only within its own origin (links elsewhere go to the user's browser). */
export function viewMayNavigate(ext: InstalledExtension, url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${EXTENSION_SCHEME}:` && u.host === viewHost(ext.id);
  } catch {
    return false;
  }
}

/** What a view's `window.open` or link to elsewhere does: http(s) opens in the user's browser, anything else nothing. */
export function externalTarget(url: string): string | undefined {
  return /^https?:\/\//i.test(url) ? url : undefined;
}
