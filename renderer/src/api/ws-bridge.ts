// Browser mode: the contract over a WebSocket to the host process that served this page. The token comes from
// the URL's fragment (never sent in a request), and reconnects keep the same token.
import type { BerthBridge, ClientMessage, HostMessage } from '@berth/electron/shared/wire.js';

export function tokenFromLocation(loc: Pick<Location, 'hash'>): string | undefined {
  const params = new URLSearchParams(loc.hash.replace(/^#/, ''));
  return params.get('token') ?? undefined;
}

export function createWsBridge(url: string): BerthBridge {
  const listeners = new Set<(msg: HostMessage) => void>();
  const connListeners = new Set<(c: boolean) => void>();
  let ws: WebSocket | undefined;
  let queue: string[] = [];
  let backoff = 250;

  const connect = () => {
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      backoff = 250;
      for (const m of queue) sock.send(m);
      queue = [];
      for (const l of connListeners) l(true);
    };
    sock.onmessage = (ev) => {
      let msg: HostMessage;
      try {
        msg = JSON.parse(String(ev.data)) as HostMessage;
      } catch {
        return;
      }
      for (const l of listeners) l(msg);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = undefined;
      for (const l of connListeners) l(false);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5_000);
    };
  };
  connect();

  return {
    transport: 'websocket',
    send(msg: ClientMessage) {
      const text = JSON.stringify(msg);
      if (ws?.readyState === WebSocket.OPEN) ws.send(text);
      else queue.push(text);
    },
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onConnection(l) {
      connListeners.add(l);
      return () => connListeners.delete(l);
    },
  };
}
