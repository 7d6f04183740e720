import { formatBytes } from '../../lib/format.js';
import { overall, type PullProgress } from '../../stores/pull-progress.js';
import { usePulls } from '../../stores/pulls.js';

function Bar({ value, state, label }: { value: number; state: string; label: string }) {
  const pct = Math.round(value * 100);
  return (
    <div className={`progress ${state}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

export function PullCard({ p }: { p: PullProgress }) {
  const clear = usePulls((s) => s.clear);
  const verb = p.kind === 'pull' ? 'Pulling' : 'Pushing';
  const title = p.state === 'done' ? `${p.kind === 'pull' ? 'Pulled' : 'Pushed'} ${p.ref}` : p.state === 'error' ? `Failed: ${p.ref}` : `${verb} ${p.ref}`;
  return (
    <section className="card pull-card" aria-label={`${p.kind} ${p.ref}`} data-state={p.state}>
      <div className="head">
        <strong>{title}</strong>
        <span className="muted">{p.layers.length} layer{p.layers.length === 1 ? '' : 's'}</span>
        <div className="spacer" />
        <div style={{ width: 200 }}><Bar value={overall(p)} state={p.state} label={`${p.ref} overall progress`} /></div>
        {p.state !== 'running' && <button className="icon-btn" aria-label={`Dismiss ${p.ref}`} onClick={() => clear(p.ref)}>×</button>}
      </div>
      {p.error && <div className="body" role="alert" style={{ color: 'var(--danger)', paddingTop: 0 }}>{p.error}</div>}
      {p.layers.length > 0 && p.state !== 'done' && (
        <div className="body" style={{ paddingTop: 0 }}>
          {p.layers.map((l) => (
            <div className="layer" key={l.id} data-testid="layer-progress">
              <span className="mono">{l.id.slice(0, 12)}</span>
              <span className="muted">{l.status}</span>
              <Bar value={l.done ? 1 : l.total ? l.current / l.total : 0} state={l.done ? 'done' : 'running'} label={`layer ${l.id.slice(0, 12)}`} />
              <span className="muted mono">{l.total ? `${formatBytes(l.current)} / ${formatBytes(l.total)}` : ''}</span>
            </div>
          ))}
        </div>
      )}
      {p.state === 'done' && p.messages.length > 0 && (
        <div className="body muted mono" style={{ paddingTop: 0 }}>{p.messages.slice(-2).join(' · ')}</div>
      )}
    </section>
  );
}

export function PullPanel() {
  const pulls = usePulls((s) => s.pulls);
  if (!pulls.length) return null;
  return <div style={{ marginBottom: 16, display: 'flex', flexDirection: 'column', gap: 12 }}>{pulls.map((p) => <PullCard key={p.ref} p={p} />)}</div>;
}
