import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { berth } from '../../api/berth.js';
import { attachClipboardKeys, copySelection, pasteClipboard } from './terminal-clipboard.js';

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

type ClipboardReport = { copied?: number; pasted?: boolean; error?: string };

function clipboardMessage(r: ClipboardReport): string {
  if (r.error) return r.error;
  if (r.copied !== undefined) return r.copied ? `Copied ${r.copied} character${r.copied === 1 ? '' : 's'}` : 'Select text in the terminal first';
  return 'Pasted';
}

/** An interactive shell in the container (docker exec -it), in xterm.js, with copy and paste. */
export function ExecPanel({ id, running }: { id: string; running: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal>(undefined);
  const [shell, setShell] = useState('sh');
  const [session, setSession] = useState(0);
  const [state, setState] = useState<'idle' | 'open' | 'ended'>('idle');
  const [error, setError] = useState<string>();
  const [hasSelection, setHasSelection] = useState(false);
  const [clip, setClip] = useState<ClipboardReport>();

  useEffect(() => {
    if (!session || !host.current) return;
    const term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', fontSize: 13, theme: { background: '#0d1117' } });
    termRef.current = term;
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    setError(undefined);
    setState('open');
    attachClipboardKeys(term, setClip);
    const h = berth().stream('containers.exec', { id, cmd: shell.trim().split(/\s+/), cols: term.cols, rows: term.rows }, {
      onData: (d) => term.write(fromBase64(d.out)),
      onEnd: (err) => {
        setState('ended');
        if (err) setError(err.message);
        term.write('\r\n\x1b[90m[session ended]\x1b[0m\r\n');
      },
    });
    const input = term.onData((data) => h.send({ data }));
    const resize = term.onResize(({ cols, rows }) => h.send({ resize: { cols, rows } }));
    const selection = term.onSelectionChange(() => setHasSelection(term.hasSelection()));
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);
    term.focus();
    return () => { observer.disconnect(); input.dispose(); resize.dispose(); selection.dispose(); h.close(); term.dispose(); termRef.current = undefined; };
  }, [session, id, shell]);

  const copy = () => {
    const term = termRef.current;
    if (!term) return;
    copySelection(term).then((n) => setClip({ copied: n }), (e: Error) => setClip({ error: e.message })).finally(() => term.focus());
  };
  const paste = () => {
    const term = termRef.current;
    if (!term) return;
    pasteClipboard(term).then((ok) => setClip(ok ? { pasted: true } : { error: 'Could not read the clipboard: use your browser’s Paste (Ctrl+V).' }),
      (e: Error) => setClip({ error: e.message })).finally(() => term.focus());
  };

  return (
    <div>
      <div className="row" style={{ marginBottom: 8 }}>
        <label className="row">Command<input className="input mono" aria-label="Shell command" value={shell} onChange={(e) => setShell(e.target.value)} disabled={state === 'open'} /></label>
        <button className="btn primary" disabled={!running || state === 'open'} onClick={() => setSession((n) => n + 1)}>{state === 'idle' ? 'Open terminal' : 'New session'}</button>
        {!running && <span className="muted">Start the container to open a terminal.</span>}
        {error && <span role="alert" style={{ color: 'var(--danger)' }}>{error}</span>}
        <div style={{ flex: 1 }} />
        <span role="status" className="muted">{clip ? clipboardMessage(clip) : ''}</span>
        <div className="row" role="group" aria-label="Clipboard">
          <button className="btn" disabled={state !== 'open' || !hasSelection} title="Copy the selection (Ctrl+Shift+C)" aria-keyshortcuts="Control+Shift+C" onClick={copy}>Copy</button>
          <button className="btn" disabled={state !== 'open'} title="Paste into the terminal (Ctrl+Shift+V)" aria-keyshortcuts="Control+Shift+V" onClick={paste}>Paste</button>
        </div>
      </div>
      <div className="exec-terminal"><div ref={host} style={{ height: '100%' }} aria-label="Terminal" data-testid="terminal" /></div>
    </div>
  );
}
