import { createListStore } from './list-store.js';

// A container starting or going away changes "in use" on images and "used by" on volumes, hence the extra kinds.
export const useImages = createListStore('images.list', ['images', 'containers']);
// Container events carry the container's id: the list fetches and patches just that row (see list-store.ts).
export const useContainers = createListStore('containers.list', ['containers'], { resource: 'containers', channel: 'containers.rows', key: (c) => c.id });
export const useVolumes = createListStore('volumes.list', ['volumes', 'containers']);
export const useNetworks = createListStore('networks.list', ['networks', 'containers']);
