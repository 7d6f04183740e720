import { create } from 'zustand';

export type View = 'containers' | 'images' | 'volumes' | 'networks' | 'settings' | 'troubleshoot' | 'extensions' | 'extension';

interface NavState {
  view: View;
  /** The container whose detail is open, if any. */
  containerId?: string;
  /** The image whose inspect panel is open. */
  imageId?: string;
  /** The extension whose tab is open (view 'extension'). */
  extensionId?: string;
  go(view: View): void;
  openExtension(id: string): void;
  openContainer(id: string | undefined): void;
  openImage(id: string | undefined): void;
}

export const useNav = create<NavState>((set) => ({
  view: 'containers',
  go: (view) => set({ view, containerId: undefined, imageId: undefined, extensionId: undefined }),
  openExtension: (extensionId) => set({ view: 'extension', extensionId, containerId: undefined, imageId: undefined }),
  openContainer: (containerId) => set({ view: 'containers', containerId }),
  openImage: (imageId) => set({ view: 'images', imageId }),
}));
