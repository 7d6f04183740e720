// The relay over an Electron <webview>: the guest's sendToHost messages arrive as `ipc-message` events on the element;
// the relay names the extension itself (the element's), answers with send(), and ignores other channels.
import { describe, expect, it, vi } from 'vitest';
import { fakeHost } from '../../test/fake-host.js';
import { startRelay, VIEW_CHANNEL, webviewPort, type WebviewElement } from './relay.js';

class FakeWebview extends EventTarget implements WebviewElement {
  sent: [string, unknown][] = [];
  send(channel: string, ...args: unknown[]) { this.sent.push([channel, args[0]]); }
  message(channel: string, data: unknown) {
    this.dispatchEvent(Object.assign(new Event('ipc-message'), { channel, args: [data] }));
  }
}

describe('the relay over an Electron <webview>', () => {
  it('relays the guest\'s calls as this extension and answers the guest', async () => {
    const host = fakeHost({ 'extensions.call': (args) => ({ echoed: args }) });
    const view = new FakeWebview();
    const stop = startRelay(host.api, webviewPort(view), 'acme/one', { call: async () => 'dashboard' });
    view.message(VIEW_CHANNEL, { berthExt: 1, id: 7, op: 'call', call: { kind: 'docker.listContainers' } });
    view.message(VIEW_CHANNEL, { berthExt: 1, id: 8, op: 'call', call: { kind: 'ui.toast', level: 'success', message: 'hi' } });
    // Another channel, or something that is no FrameMessage, is not relayed.
    view.message('other', { berthExt: 1, id: 9, op: 'call', call: { kind: 'docker.listImages' } });
    view.message(VIEW_CHANNEL, { id: 10, op: 'call' });
    await vi.waitFor(() => expect(view.sent).toHaveLength(2));
    expect(host.calls).toEqual([{ ch: 'extensions.call', args: { ext: 'acme/one', call: { kind: 'docker.listContainers' } } }]);
    expect(view.sent).toContainEqual([VIEW_CHANNEL, { berthExt: 1, id: 7, op: 'result', ok: true, value: { echoed: { ext: 'acme/one', call: { kind: 'docker.listContainers' } } } }]);
    expect(view.sent).toContainEqual([VIEW_CHANNEL, { berthExt: 1, id: 8, op: 'result', ok: true, value: 'dashboard' }]);
    stop();
    view.message(VIEW_CHANNEL, { berthExt: 1, id: 11, op: 'call', call: { kind: 'docker.listContainers' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(host.calls).toHaveLength(1);
  });
});
