import { createListStore } from './list-store.js';

// A container starting or going away changes "in use" on images and "used by" on volumes, hence the extra kinds.
export const useImages = createListStore('images.list', ['images', 'containers']);
export const useContainers = createListStore('containers.list', ['containers']);
export const useVolumes = createListStore('volumes.list', ['volumes', 'containers']);
export const useNetworks = createListStore('networks.list', ['networks', 'containers']);
