import { useEffect, useState } from 'react';
import type { ContractError } from '@berth/electron/shared/errors.js';
import type { ImageDetail } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { Drawer } from '../../components/Dialog.js';
import { JsonView } from '../../components/JsonView.js';
import { ErrorState } from '../../components/States.js';
import { Tabs } from '../../components/Tabs.js';
import { ImageHistory } from './ImageHistory.js';
import { formatBytes, shortId, timeAgo } from '../../lib/format.js';

type Tab = 'overview' | 'layers' | 'raw';

export function ImageInspect({ id, onClose }: { id: string; onClose(): void }) {
  const [detail, setDetail] = useState<ImageDetail>();
  const [error, setError] = useState<ContractError>();
  const [tab, setTab] = useState<Tab>('overview');
  useEffect(() => {
    let live = true;
    berth().invoke('images.inspect', { id }).then((d) => live && setDetail(d), (e) => live && setError(e as ContractError));
    return () => { live = false; };
  }, [id]);
  const title = detail?.tags[0] ?? shortId(id);
  return (
    <Drawer title={title} onClose={onClose}>
      {error && <ErrorState error={error} what="Image details" />}
      {!error && !detail && <div className="skeleton" style={{ width: '60%' }} />}
      {detail && (
        <>
          <Tabs<Tab> label="Image details" value={tab} onChange={setTab} tabs={[
            { id: 'overview', label: 'Overview' }, { id: 'layers', label: `Layers (${detail.history.length || detail.layers.length})` }, { id: 'raw', label: 'Raw JSON' },
          ]} />
          {tab === 'overview' && (
            <dl className="kv" aria-label="Image overview">
              <dt>ID</dt><dd className="mono">{detail.id}</dd>
              <dt>Tags</dt><dd>{detail.tags.map((t) => <span className="tag" key={t}>{t}</span>)}</dd>
              <dt>Digests</dt><dd className="mono">{detail.digests.join('\n') || '—'}</dd>
              <dt>Created</dt><dd>{timeAgo(detail.created)} <span className="muted">({detail.created})</span></dd>
              <dt>Size</dt><dd>{formatBytes(detail.size)}</dd>
              <dt>Platform</dt><dd>{detail.os}/{detail.architecture}{detail.variant ? `/${detail.variant}` : ''}</dd>
              <dt>Command</dt><dd className="mono">{[...detail.entrypoint, ...detail.cmd].join(' ') || '—'}</dd>
              <dt>Working dir</dt><dd className="mono">{detail.workingDir || '/'}</dd>
              <dt>User</dt><dd className="mono">{detail.user || 'root'}</dd>
              <dt>Exposed ports</dt><dd>{detail.exposedPorts.join(', ') || '—'}</dd>
              <dt>Environment</dt><dd className="mono">{detail.env.map((e) => <div key={e}>{e}</div>)}</dd>
              <dt>Labels</dt><dd className="mono">{Object.entries(detail.labels).map(([k, v]) => <div key={k}>{k}={v}</div>)}{Object.keys(detail.labels).length ? null : '—'}</dd>
            </dl>
          )}
          {tab === 'layers' && <ImageHistory history={detail.history} layers={detail.layers} />}
          {tab === 'raw' && <JsonView value={detail.raw} label="Raw image JSON" />}
        </>
      )}
    </Drawer>
  );
}
