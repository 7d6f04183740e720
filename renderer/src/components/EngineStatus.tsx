import { useState } from 'react';
import { berth } from '../api/berth.js';
import { useEngine } from '../stores/engine.js';
import { toastError, toastSuccess } from '../stores/toasts.js';

const LABEL = { starting: 'Engine starting', running: 'Engine running', stopped: 'Engine stopped', error: 'Engine error' } as const;

export function EngineStatusPill() {
  const { status, hostConnected } = useEngine();
  if (!hostConnected) {
    return <span className="status-pill" role="status" aria-label="Engine status: host disconnected"><span className="dot error" />Disconnected from Berth</span>;
  }
  return (
    <span className="status-pill" role="status" aria-label={`Engine status: ${status.state}`} title={status.endpoint}>
      <span className={`dot ${status.state}`} />
      {LABEL[status.state]}
      {status.state === 'running' && status.version && <span className="muted">v{status.version}</span>}
      {status.state === 'starting' && status.progress !== undefined && <span className="muted">{Math.round(status.progress * 100)}%</span>}
    </span>
  );
}

/** Resolves when the engine answers again; the banner shows the stages meanwhile. */
export function restartEngine(): void {
  berth().invoke('engine.restart').then(() => toastSuccess('Engine restarted'), (e) => toastError('Could not restart the engine', e));
}

/** Shown above every view while the engine is not running: why, and what to do. */
export function EngineBanner() {
  const { status, hostConnected } = useEngine();
  const [busy, setBusy] = useState(false);
  if (!hostConnected) {
    return (
      <div className="banner error" role="alert">
        <div>
          <div className="title">Lost the connection to the Berth host process</div>
          <div>Reconnecting… If this lasts, check that <code>berth dashboard</code> or the Berth app is still running.</div>
        </div>
      </div>
    );
  }
  if (status.state === 'running') return null;
  if (status.state === 'starting') {
    const pct = status.progress !== undefined ? Math.round(status.progress * 100) : undefined;
    return (
      <div className="banner warn" role="status">
        <div style={{ flex: 1 }}>
          <div className="title">The engine is starting</div>
          <div>{status.stage ?? 'Waiting for the engine'}{pct !== undefined ? ` (${pct}%)` : ''}</div>
          {pct !== undefined && (
            <div className="progress" role="progressbar" aria-label="Engine start" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} style={{ marginTop: 6 }}>
              <div style={{ width: `${pct}%` }} />
            </div>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="banner error" role="alert">
      <div style={{ flex: 1 }}>
        <div className="title">{status.state === 'stopped' ? 'The engine is not running' : 'The engine reported an error'}</div>
        {status.reason && <div>{status.reason}</div>}
        {status.hint && <div className="muted">{status.hint}</div>}
        <div className="muted mono">{status.endpoint}</div>
      </div>
      <button className="btn" disabled={busy} onClick={() => { setBusy(true); restartEngine(); setTimeout(() => setBusy(false), 2000); }}>Restart engine</button>
    </div>
  );
}
