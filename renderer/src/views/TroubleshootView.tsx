import { useEffect, useState } from 'react';
import type { ResetPlan } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { restartEngine } from '../components/EngineStatus.js';
import { formatBytes } from '../lib/format.js';
import { useEngine } from '../stores/engine.js';
import { toastError, toastSuccess } from '../stores/toasts.js';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function EngineCard() {
  const { info, status } = useEngine();
  return (
    <section className="card" aria-labelledby="engine-title">
      <h2 id="engine-title">Engine</h2>
      <div className="body">
        {info ? (
          <>
            <div className="stat-tiles">
              <div className="tile"><div className="k">Containers</div><div className="v">{info.containers.running}<span className="muted" style={{ fontSize: 14 }}> / {info.containers.total} running</span></div></div>
              <div className="tile"><div className="k">Images</div><div className="v">{info.images}</div></div>
              <div className="tile"><div className="k">CPUs</div><div className="v">{info.cpus}</div></div>
              <div className="tile"><div className="k">Memory</div><div className="v">{formatBytes(info.memoryBytes)}</div></div>
            </div>
            <dl className="kv" aria-label="Engine information">
              <dt>Name</dt><dd>{info.name}</dd>
              <dt>Version</dt><dd data-testid="engine-version">{info.serverVersion} (API {info.apiVersion})</dd>
              <dt>Operating system</dt><dd>{info.os} ({info.arch})</dd>
              <dt>Kernel</dt><dd>{info.kernel}</dd>
              <dt>Storage driver</dt><dd>{info.storageDriver}</dd>
              <dt>Data root</dt><dd className="mono">{info.dataRoot}</dd>
              <dt>Endpoint</dt><dd className="mono">{status.endpoint}</dd>
            </dl>
          </>
        ) : <p className="muted">{status.state === 'running' ? 'Loading…' : `The engine is ${status.state}.`}</p>}
      </div>
    </section>
  );
}

function LogsCard() {
  const [source, setSource] = useState<'engine' | 'host'>();
  const [lines, setLines] = useState<string[]>([]);
  const show = (s: 'engine' | 'host') => berth().invoke('troubleshoot.logs', { source: s, tail: 500 }).then((r) => { setSource(s); setLines(r.lines); }, (e) => toastError(`No ${s} log`, e));
  return (
    <section className="card" aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      <div className="body">
        <div className="row" style={{ marginBottom: 8 }}>
          <button className="btn" onClick={() => void show('engine')}>Engine log</button>
          <button className="btn" onClick={() => void show('host')}>Host log</button>
        </div>
        {source && <pre className="json" aria-label={`${source} log`} style={{ maxHeight: 320 }}>{lines.join('\n') || '(empty)'}</pre>}
      </div>
    </section>
  );
}

function ResetRow({ plan, onAsk }: { plan: ResetPlan | null | undefined; onAsk(): void }) {
  return (
    <div className="row">
      <button className="btn danger" disabled={!plan} onClick={onAsk}>Reset to factory defaults</button>
      <span className="muted">
        {plan === null
          ? 'Not available here: this dashboard does not manage the engine. Use the Berth app or `berth reset --force`.'
          : 'Deletes all containers, images, volumes and networks, and the VM with its keys.'}
      </span>
    </div>
  );
}

export function TroubleshootView() {
  const [resetting, setResetting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [plan, setPlan] = useState<ResetPlan | null>();
  useEffect(() => { berth().invoke('troubleshoot.resetPlan').then(setPlan, () => setPlan(null)); }, []);
  const diagnostics = () => {
    setBusy(true);
    berth().invoke('troubleshoot.diagnostics').then((d) => download(`berth-diagnostics-${d.createdAt.replace(/[:.]/g, '-')}.txt`, d.text), (e) => toastError('Could not collect diagnostics', e)).finally(() => setBusy(false));
  };
  const reset = () => berth().invoke('troubleshoot.reset').then(() => toastSuccess('Berth was reset', 'The engine starts again with nothing in it.'), (e) => toastError('Could not reset Berth', e));
  return (
    <section aria-labelledby="troubleshoot-title">
      <div className="view-header"><h1 id="troubleshoot-title">Troubleshoot</h1></div>
      <EngineCard />
      <section className="card" aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        <div className="body" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <div className="row"><button className="btn" onClick={restartEngine}>Restart engine</button><span className="muted">Stops every running container, then starts the engine again.</span></div>
          <div className="row"><button className="btn" disabled={busy} onClick={diagnostics}>{busy ? 'Collecting…' : 'Collect diagnostics'}</button><span className="muted">Versions, settings and recent host and engine logs in one text file; registry credentials and tokens are masked.</span></div>
          <ResetRow plan={plan} onAsk={() => setResetting(true)} />
        </div>
      </section>
      <LogsCard />
      {resetting && plan && <ConfirmDialog title="Reset Berth to factory defaults?" confirm="Reset" onClose={() => setResetting(false)}
        onConfirm={() => void reset()}
        body={<>
          <p>This deletes <strong>every container, image, volume and network</strong>. It cannot be undone. These go:</p>
          <ul className="mono" aria-label="What the reset deletes">{plan.deletes.map((d) => <li key={d}>{d}</li>)}</ul>
          <p className="muted">Your settings stay; the engine starts again empty.</p>
        </>} />}
    </section>
  );
}
