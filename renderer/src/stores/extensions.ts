import { create } from 'zustand';
import type { ExtensionsOverview } from '@berth/electron/shared/extension-types.js';
import type { ContractError } from '@berth/electron/shared/errors.js';
import { berth } from '../api/berth.js';

const SHOW_KEY = 'berth-show-extension-containers';

interface ExtensionsState {
  overview?: ExtensionsOverview;
  error?: ContractError;
  /**
   * Settings → "Show extension containers": off hides extensions' backend containers from Containers. It is the
   * engine's setting (berthd then hides them from `docker ps` too); the dashboard also filters its own list, for
   * engines without it.
   */
  showContainers: boolean;
  refresh(): Promise<void>;
  /** Reads the engine's setting (kept as it is when the engine has none). */
  loadShowContainers(): Promise<void>;
  setShowContainers(on: boolean): Promise<void>;
}

export const useExtensions = create<ExtensionsState>((set) => ({
  showContainers: typeof localStorage !== 'undefined' && localStorage.getItem(SHOW_KEY) === 'true',
  refresh: async () => {
    try {
      set({ overview: await berth().invoke('extensions.list'), error: undefined });
    } catch (e) {
      set({ error: e as ContractError });
    }
  },
  loadShowContainers: async () => {
    const { show } = await berth().invoke('extensions.showContainers', {}).catch(() => ({ show: null }));
    if (show === null) return;
    localStorage.setItem(SHOW_KEY, String(show));
    set({ showContainers: show });
  },
  setShowContainers: async (on) => {
    localStorage.setItem(SHOW_KEY, String(on));
    set({ showContainers: on });
    await berth().invoke('extensions.showContainers', { show: on }).catch(() => undefined);
  },
}));

/** Docker Desktop's label on every extension container. */
export const isExtensionContainer = (labels: Record<string, string>) => labels['com.docker.desktop.extension'] === 'true';
