import { create } from 'zustand';
import type { EngineInfo, EngineStatus } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';

interface EngineStore {
  status: EngineStatus;
  info?: EngineInfo;
  /** False while the page has no connection to the host process. */
  hostConnected: boolean;
  start(): () => void;
}

export const useEngine = create<EngineStore>((set) => ({
  status: { state: 'starting', endpoint: '', stage: 'Connecting to Berth' },
  hostConnected: true,
  start() {
    const api = berth();
    const loadInfo = () => api.invoke('engine.info').then((info) => set({ info }), () => set({ info: undefined }));
    const load = () => api.invoke('engine.status').then((status) => {
      set({ status });
      if (status.state === 'running') void loadInfo();
    }, () => undefined);
    const offs = [
      api.on('engine.status', (status) => {
        set({ status });
        if (status.state === 'running') void loadInfo();
      }),
      api.on('changed', (ev) => { if (ev.resource === 'containers' || ev.resource === 'images') void loadInfo(); }),
      api.onConnection((up) => {
        set({ hostConnected: up });
        if (up) void load();
      }),
    ];
    void load();
    return () => offs.forEach((off) => off());
  },
}));
