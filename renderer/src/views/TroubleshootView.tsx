import { useEffect, useState } from 'react';
import type { ResetPlan, VmUsage } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';
import { ConfirmDialog } from '../components/Dialog.js';
import { formatBytes } from '../lib/format.js';
import { useEngine, useVmUsage } from '../stores/engine.js';
import { toastError, toastSuccess } from '../stores/toasts.js';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const ACCEL: Record<string, string> = { kvm: 'KVM', hvf: 'Hypervisor.framework', whpx: 'Hyper-V (WHPX)', tcg: 'none (emulation, slow)' };

/** The VM as this computer sees it: its process's CPU and memory, and what it was given. */
function VmUsageTiles({ usage }: { usage: VmUsage }) {
  return (
    <div aria-label="Berth VM usage" role="group">
      <div className="stat-tiles">
        <div className="tile"><div className="k">VM CPU</div><div className="v" data-testid="vm-cpu">{usage.cpuPercent !== undefined ? `${usage.cpuPercent.toFixed(1)}%` : '…'}<span className="muted" style={{ fontSize: 14 }}> of {usage.cpus * 100}%</span></div></div>
        <div className="tile"><div className="k">VM memory</div><div className="v" data-testid="vm-memory">{usage.memoryBytes !== undefined ? formatBytes(usage.memoryBytes) : '…'}<span className="muted" style={{ fontSize: 14 }}> / {formatBytes(usage.memoryLimitBytes)}</span></div></div>
        <div className="tile"><div className="k">VM CPUs</div><div className="v">{usage.cpus}</div></div>
        <div className="tile"><div className="k">Acceleration</div><div className="v" style={{ fontSize: 15 }}>{ACCEL[usage.accel] ?? usage.accel}</div></div>
      </div>
    </div>
  );
}

function EngineCard() {
  const { info, status } = useEngine();
  const usage = useVmUsage();
  return (
    <section className="card" aria-labelledby="engine-title">
      <h2 id="engine-title">Engine</h2>
      <div className="body">
        {usage && <VmUsageTiles usage={usage} />}
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
        ) : <p className="muted">{status.state === 'running' ? 'Loading…' : `The engine is ${status.state}${status.stage ? `: ${status.stage}` : status.reason ? `: ${status.reason.replace(/\.$/, '')}` : ''}.`}</p>}
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

function ResetRow({ plan, resetting, disabled, onAsk }: { plan: ResetPlan | null | undefined; resetting: boolean; disabled: boolean; onAsk(): void }) {
  return (
    <div className="row">
      <button className="btn danger" disabled={!plan || resetting || disabled} onClick={onAsk}>{resetting ? 'Resetting…' : 'Reset to factory defaults'}</button>
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
  const [resetBusy, setResetBusy] = useState(false);
  const [restartBusy, setRestartBusy] = useState(false);
  const starting = useEngine((s) => s.status.state === 'starting');
  // Both resolve once the engine answers again (a VM boot); the banner above shows the stages meanwhile.
  const reset = () => {
    setResetBusy(true);
    berth().invoke('troubleshoot.reset').then(() => toastSuccess('Berth was reset', 'The engine runs again with nothing in it.'), (e) => toastError('Could not reset Berth', e)).finally(() => setResetBusy(false));
  };
  const restart = () => {
    setRestartBusy(true);
    berth().invoke('engine.restart').then(() => toastSuccess('Engine restarted'), (e) => toastError('Could not restart the engine', e)).finally(() => setRestartBusy(false));
  };
  return (
    <section aria-labelledby="troubleshoot-title">
      <div className="view-header"><h1 id="troubleshoot-title">Troubleshoot</h1></div>
      <EngineCard />
      <section className="card" aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        <div className="body" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <div className="row"><button className="btn" disabled={restartBusy || resetBusy || starting} onClick={restart}>{restartBusy ? 'Restarting…' : 'Restart engine'}</button><span className="muted">Stops every running container, then starts the engine again.</span></div>
          <div className="row"><button className="btn" disabled={busy} onClick={diagnostics}>{busy ? 'Collecting…' : 'Collect diagnostics'}</button><span className="muted">Versions, settings and recent host and engine logs in one text file; registry credentials and tokens are masked.</span></div>
          <ResetRow plan={plan} resetting={resetBusy} disabled={restartBusy || starting} onAsk={() => setResetting(true)} />
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
