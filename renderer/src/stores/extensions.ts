import { create } from 'zustand';
import type { ExtensionsOverview } from '@berth/electron/shared/extension-types.js';
import type { ContractError } from '@berth/electron/shared/errors.js';
import { berth } from '../api/berth.js';

const SHOW_KEY = 'berth-show-extension-containers';

interface ExtensionsState {
  overview?: ExtensionsOverview;
  error?: ContractError;
  /** Settings → "Show extension containers": off hides extensions' backend containers from Containers. */
  showContainers: boolean;
  refresh(): Promise<void>;
  setShowContainers(on: boolean): void;
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
  setShowContainers: (on) => {
    localStorage.setItem(SHOW_KEY, String(on));
    set({ showContainers: on });
  },
}));

/** Docker Desktop's label on every extension container. */
export const isExtensionContainer = (labels: Record<string, string>) => labels['com.docker.desktop.extension'] === 'true';
