import { useEffect, useRef, useState } from 'react';
import type { ContractError } from '@berth/electron/shared/errors.js';
import type { ContainerDetail } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { JsonView } from '../../components/JsonView.js';
import { ErrorState } from '../../components/States.js';
import { Tabs } from '../../components/Tabs.js';
import { shortId, timeAgo } from '../../lib/format.js';
import { useNav } from '../../stores/nav.js';
import { useContainers } from '../../stores/resources.js';
import { ContainerActions, removeContainer } from './ContainerActions.js';
import { ExecPanel } from './ExecPanel.js';
import { FilesPanel } from './FilesPanel.js';
import { portLabel, portUrl } from './grouping.js';
import { LogsPanel } from './LogsPanel.js';
import { StatsPanel } from './StatsPanel.js';

type Tab = 'logs' | 'inspect' | 'exec' | 'stats' | 'files';

export function Overview({ d }: { d: ContainerDetail }) {
  return (
    <dl className="kv" aria-label="Container overview">
      <dt>ID</dt><dd className="mono">{d.id}</dd>
      <dt>Image</dt><dd className="mono">{d.image}</dd>
      <dt>Status</dt><dd>{d.state}{d.exitCode !== undefined && d.state === 'exited' ? ` (exit code ${d.exitCode})` : ''}{d.error ? ` — ${d.error}` : ''}</dd>
      {d.startedAt && <><dt>Started</dt><dd>{timeAgo(d.startedAt)}</dd></>}
      <dt>Command</dt><dd className="mono">{d.cmd.join(' ') || '—'}</dd>
      <dt>Ports</dt><dd>{d.ports.filter((p) => p.publicPort).map((p) => <a key={`${p.ip ?? ''}-${p.publicPort}-${p.type}`} className="mono port" href={portUrl(p)} target="_blank" rel="noreferrer" style={{ marginRight: 8 }}>{portLabel(p)}</a>)}{d.ports.some((p) => p.publicPort) ? null : '—'}</dd>
      <dt>Mounts</dt><dd className="mono">{d.mounts.map((m) => <div key={m.destination}>{m.source} → {m.destination}{m.readOnly ? ' (ro)' : ''}</div>)}{d.mounts.length ? null : '—'}</dd>
      <dt>Networks</dt><dd>{d.networks.map((n) => `${n.name} ${n.ipAddress}`).join(', ') || '—'}</dd>
      <dt>Restart policy</dt><dd>{d.restartPolicy}</dd>
      <dt>Environment</dt><dd className="mono">{d.env.map((e) => <div key={e}>{e}</div>)}</dd>
    </dl>
  );
}

export function ContainerDetailView({ id }: { id: string }) {
  const open = useNav((s) => s.openContainer);
  const row = useContainers((s) => s.items.find((c) => c.id === id || c.id.startsWith(id)));
  const [detail, setDetail] = useState<ContainerDetail>();
  const [error, setError] = useState<ContractError>();
  const [tab, setTab] = useState<Tab>('logs');
  const [raw, setRaw] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // The list that opened this is gone: focus lands on the container's name, so the keyboard starts here.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus(); }, [id]);

  // Re-inspect whenever the list shows a different state (an event arrived).
  useEffect(() => {
    let live = true;
    berth().invoke('containers.inspect', { id }).then((d) => live && setDetail(d), (e) => live && setError(e as ContractError));
    return () => { live = false; };
  }, [id, row?.state]);

  const name = detail?.name ?? row?.name ?? shortId(id);
  const running = (row?.state ?? detail?.state) === 'running';
  return (
    <section aria-label={`Container ${name}`}>
      <div className="view-header">
        <button className="btn" onClick={() => open(undefined)} aria-label="Back to containers">← Containers</button>
        <h1 ref={heading} tabIndex={-1}>{name}</h1>
        {row && <span className={`tag ${running ? 'ok' : ''}`} data-testid="container-state">{row.state}</span>}
        <span className="sub mono">{detail?.image}</span>
        <div className="spacer" />
        {row && <ContainerActions c={row} onDelete={() => setDeleting(true)} />}
      </div>
      {!row && detail && <div className="banner warn" role="status"><div>This container no longer exists.</div></div>}
      {error && !detail && <ErrorState error={error} what="Container details" />}
      <Tabs<Tab> label="Container" value={tab} onChange={setTab} tabs={[
        { id: 'logs', label: 'Logs' }, { id: 'inspect', label: 'Inspect' }, { id: 'exec', label: 'Exec' }, { id: 'stats', label: 'Stats' }, { id: 'files', label: 'Files' },
      ]} />
      <div className="card"><div className="body">
        {tab === 'logs' && <LogsPanel id={id} />}
        {tab === 'inspect' && detail && (
          <>
            <div className="segmented" role="group" aria-label="Inspect format" style={{ marginBottom: 12 }}>
              <button aria-pressed={!raw} onClick={() => setRaw(false)}>Readable</button>
              <button aria-pressed={raw} onClick={() => setRaw(true)}>Raw JSON</button>
            </div>
            {raw ? <JsonView value={detail.raw} label="Raw container JSON" /> : <Overview d={detail} />}
          </>
        )}
        {tab === 'exec' && <ExecPanel id={id} running={running} />}
        {tab === 'stats' && <StatsPanel id={id} running={running} />}
        {tab === 'files' && <FilesPanel id={id} />}
      </div></div>
      {deleting && row && (
        <ConfirmDialog title={`Delete ${name}?`} confirm="Delete" onClose={() => setDeleting(false)}
          onConfirm={() => { void removeContainer(row).then(() => open(undefined)); }}
          body="The container is stopped first if it runs. Named volumes stay." />
      )}
    </section>
  );
}
