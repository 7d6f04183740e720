import { createElement, useEffect, useRef, useState } from 'react';
import { berth } from '../../api/berth.js';
import { useExtensions } from '../../stores/extensions.js';
import { effectiveTheme, useTheme } from '../../stores/theme.js';
import { dashboardCalls } from './dashboard-calls.js';
import { OpenDialogHost } from './OpenDialog.js';
import { framePort, startRelay, webviewPort, type WebviewElement } from './relay.js';

/**
 * An extension's tab: its UI in a frame from its own loopback origin (no access to this page, its token or its
 * storage), joined to the host only through the relay. Leaving the tab removes the frame, which ends the page, and
 * closes every stream it had open (the host sends their processes SIGTERM). In the Electron shell the UI is a
 * <webview> on its own `berth-extension://` origin in its own partition (the shell checks both and sets its
 * preferences and preload: electron/src/main/extension-views.ts).
 */
export function ExtensionTab({ id }: { id: string }) {
  const ext = useExtensions((s) => s.overview?.extensions.find((e) => e.id === id));
  const theme = useTheme((s) => s.theme);
  const dark = effectiveTheme(theme, window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false) === 'dark';
  const [src, setSrc] = useState<{ url: string; origin: string; debug: boolean; partition?: string }>();
  const [error, setError] = useState<string>();
  const frame = useRef<HTMLIFrameElement>(null);
  const view = useRef<HTMLElement>(null);
  useEffect(() => {
    setSrc(undefined);
    setError(undefined);
    berth().invoke('extensions.open', { id }).then(setSrc, (e: Error) => setError(e.message));
  }, [id]);
  useEffect(() => {
    if (!src) return;
    const port = src.partition
      ? view.current && webviewPort(view.current as unknown as WebviewElement)
      : frame.current && framePort(frame.current, src.origin);
    if (!port) return;
    return startRelay(berth(), port, id, dashboardCalls(ext?.title ?? id));
  }, [src, id, ext?.title]);
  const title = ext?.tab ?? ext?.title ?? id;
  return (
    <section className="view extension-tab" aria-label={title}>
      {error && <p role="alert" className="error">Could not open {title}: {error}</p>}
      {src?.debug && !src.partition && (
        // `berth extension dev debug`: the Electron shell opens DevTools with the tab; a browser opens its own.
        <p role="status" className="muted dev-note">
          Debug mode (berth extension dev debug): open your browser's DevTools (F12) and pick the frame {src.origin}.
          {ext?.dev?.uiSource && <> UI loaded from {ext.dev.uiSource}.</>}
        </p>
      )}
      {src && !src.debug && ext?.dev?.uiSource && <p role="status" className="muted dev-note">UI loaded from {ext.dev.uiSource} (berth extension dev ui-source).</p>}
      {src?.partition && createElement('webview', {
        ref: view, key: src.url, src: src.url, partition: src.partition, title, 'data-extension': id,
        style: { colorScheme: dark ? 'dark' : 'light', border: 0, width: '100%', height: '100%', flex: 1, display: 'flex' },
      })}
      {src && !src.partition && (
        <iframe ref={frame} key={src.url} src={src.url} title={title} data-extension={id}
          // Its own origin (allow-same-origin keeps that origin, not ours); no top navigation.
          sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads"
          style={{ colorScheme: dark ? 'dark' : 'light', border: 0, width: '100%', height: '100%', flex: 1 }} />
      )}
      {src && <OpenDialogHost key={src.url} />}
    </section>
  );
}
