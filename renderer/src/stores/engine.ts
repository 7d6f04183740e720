import { useEffect, useState } from 'react';
import { create } from 'zustand';
import type { EngineInfo, EngineStatus, VmUsage } from '@berth/electron/shared/types.js';
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

/**
 * The Berth VM's CPU and memory while the calling component is mounted and the page is visible: the host samples
 * only while this stream is open. null: no VM (or it is not running); undefined: no answer yet.
 */
export function useVmUsage(): VmUsage | null | undefined {
  const [usage, setUsage] = useState<VmUsage | null>();
  useEffect(() => {
    let handle: { close(): void } | undefined;
    const open = () => {
      if (handle || document.hidden) return;
      handle = berth().stream('engine.vmUsage', undefined, {
        onData: setUsage,
        onEnd: () => { handle = undefined; },
      });
    };
    const close = () => { handle?.close(); handle = undefined; };
    const onVisibility = () => (document.hidden ? close() : open());
    open();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      close();
    };
  }, []);
  return usage;
}
