import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { berth } from '../../api/berth.js';

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** An interactive shell in the container (docker exec -it), in xterm.js. */
export function ExecPanel({ id, running }: { id: string; running: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const [shell, setShell] = useState('sh');
  const [session, setSession] = useState(0);
  const [state, setState] = useState<'idle' | 'open' | 'ended'>('idle');
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!session || !host.current) return;
    const term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', fontSize: 13, theme: { background: '#0d1117' } });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current);
    fit.fit();
    setError(undefined);
    setState('open');
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
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current);
    term.focus();
    return () => { observer.disconnect(); input.dispose(); resize.dispose(); h.close(); term.dispose(); };
  }, [session, id, shell]);

  return (
    <div>
      <div className="row" style={{ marginBottom: 8 }}>
        <label className="row">Command<input className="input mono" aria-label="Shell command" value={shell} onChange={(e) => setShell(e.target.value)} disabled={state === 'open'} /></label>
        <button className="btn primary" disabled={!running || state === 'open'} onClick={() => setSession((n) => n + 1)}>{state === 'idle' ? 'Open terminal' : 'New session'}</button>
        {!running && <span className="muted">Start the container to open a terminal.</span>}
        {error && <span role="alert" style={{ color: 'var(--danger)' }}>{error}</span>}
      </div>
      <div className="terminal"><div ref={host} style={{ height: '100%' }} aria-label="Terminal" data-testid="terminal" /></div>
    </div>
  );
}
