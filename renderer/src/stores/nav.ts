import { create } from 'zustand';

export type View = 'containers' | 'images' | 'volumes' | 'networks' | 'settings' | 'troubleshoot';

interface NavState {
  view: View;
  /** The container whose detail is open, if any. */
  containerId?: string;
  /** The image whose inspect panel is open. */
  imageId?: string;
  go(view: View): void;
  openContainer(id: string | undefined): void;
  openImage(id: string | undefined): void;
}

export const useNav = create<NavState>((set) => ({
  view: 'containers',
  go: (view) => set({ view, containerId: undefined, imageId: undefined }),
  openContainer: (containerId) => set({ view: 'containers', containerId }),
  openImage: (imageId) => set({ view: 'images', imageId }),
}));
