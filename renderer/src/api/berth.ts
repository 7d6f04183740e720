// The one way the UI reaches the host: `window.berth` in Electron (the preload's bridge), otherwise the
// browser-mode WebSocket. Tests install their own with setBerth().
import { createBerthClient, type BerthApi } from '@berth/electron/shared/client.js';
import type { BerthBridge } from '@berth/electron/shared/wire.js';
import { createWsBridge, tokenFromLocation } from './ws-bridge.js';

declare global {
  interface Window {
    berth?: BerthBridge;
  }
}

let api: BerthApi | undefined;

export function setBerth(next: BerthApi): void {
  api = next;
}

export function berth(): BerthApi {
  if (api) return api;
  if (window.berth) {
    api = createBerthClient(window.berth);
    return api;
  }
  const token = tokenFromLocation(window.location) ?? sessionStorage.getItem('berth-token') ?? '';
  // Keep the token across reloads of the same tab, and out of the address bar.
  sessionStorage.setItem('berth-token', token);
  if (window.location.hash) history.replaceState(null, '', window.location.pathname + window.location.search);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  api = createBerthClient(createWsBridge(`${scheme}://${window.location.host}/ws?token=${encodeURIComponent(token)}`));
  return api;
}
