// ddClient's desktopUI.dialog.showOpenDialog where the dashboard has no native dialog (browser mode): the options an
// extension passes (Electron's OpenDialogOptions, from an untrusted frame, so read defensively), what they allow to be
// picked, and the one pending request the dashboard's own dialog answers.
import { create } from 'zustand';
import type { FileEntry } from '@berth/electron/shared/types.js';

export interface OpenDialogResult {
  canceled: boolean;
  filePaths: string[];
}

export interface FileFilter {
  name: string;
  /** Lower-case, without the dot; `*` matches every file. */
  extensions: string[];
}

/** What the dialog lets the user pick, from Electron's `properties`, `filters`, `defaultPath`, `title`, `buttonLabel`. */
export interface OpenDialogMode {
  files: boolean;
  folders: boolean;
  multi: boolean;
  hidden: boolean;
  filters: FileFilter[];
  title?: string;
  buttonLabel?: string;
  defaultPath?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

export function openDialogMode(options: Record<string, unknown>): OpenDialogMode {
  const props = new Set(Array.isArray(options.properties) ? options.properties.filter((p): p is string => typeof p === 'string') : []);
  const folders = props.has('openDirectory');
  // Electron: openFile is the default when neither is named.
  const files = props.has('openFile') || !folders;
  const filters = (Array.isArray(options.filters) ? options.filters : []).flatMap((f): FileFilter[] => {
    const exts = (f as { extensions?: unknown })?.extensions;
    if (!Array.isArray(exts)) return [];
    const extensions = exts.filter((e): e is string => typeof e === 'string').map((e) => e.replace(/^\./, '').toLowerCase());
    return extensions.length ? [{ name: text((f as { name?: unknown }).name) ?? extensions.join(', '), extensions }] : [];
  });
  return {
    files, folders, multi: props.has('multiSelections'), hidden: props.has('showHiddenFiles'), filters,
    ...(text(options.title) ? { title: text(options.title) } : {}),
    ...(text(options.buttonLabel) ? { buttonLabel: text(options.buttonLabel) } : {}),
    ...(text(options.defaultPath) ? { defaultPath: text(options.defaultPath) } : {}),
  };
}

/** Whether `e` is shown in the folder under this mode and filter (folders always are, to be opened). */
export function shown(e: FileEntry, mode: OpenDialogMode, filter: FileFilter | undefined): boolean {
  if (!mode.hidden && e.name.startsWith('.')) return false;
  if (e.kind === 'dir') return true;
  if (!mode.files) return false;
  if (!filter || filter.extensions.includes('*')) return true;
  const dot = e.name.lastIndexOf('.');
  return dot > 0 && filter.extensions.includes(e.name.slice(dot + 1).toLowerCase());
}

/** Whether `e` may be picked (a file in file mode, a folder in folder mode). */
export function pickable(e: FileEntry, mode: OpenDialogMode): boolean {
  return e.kind === 'dir' ? mode.folders : e.kind === 'file' && mode.files;
}

interface PendingDialog {
  /** The extension asking, named in the dialog. */
  asker: string;
  mode: OpenDialogMode;
  answer(r: OpenDialogResult): void;
}

interface OpenDialogState {
  pending?: PendingDialog;
  /** Shows the dialog for `asker`; one at a time, as a modal native dialog is. */
  ask(asker: string, options: Record<string, unknown>): Promise<OpenDialogResult>;
  /** Closes the dialog with this answer (Cancel, Escape and leaving the tab answer `canceled`). */
  settle(r: OpenDialogResult): void;
}

export const CANCELED: OpenDialogResult = { canceled: true, filePaths: [] };

export const useOpenDialog = create<OpenDialogState>((set, get) => ({
  ask: (asker, options) => {
    if (get().pending) return Promise.reject(new Error('an open dialog is already showing'));
    return new Promise((resolve) => set({ pending: { asker, mode: openDialogMode(options), answer: resolve } }));
  },
  settle: (r) => {
    const p = get().pending;
    set({ pending: undefined });
    p?.answer(r);
  },
}));
