import { Fragment, memo, useCallback, useEffect, useMemo, useState } from 'react';
import type { ContainerRow } from '@berth/electron/shared/types.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { EmptyState, ErrorState, SkeletonRows } from '../../components/States.js';
import { shortId, timeAgo } from '../../lib/format.js';
import { useRowNavigation } from '../../lib/keyboard/row-navigation.js';
import { useNav } from '../../stores/nav.js';
import { isExtensionContainer, useExtensions } from '../../stores/extensions.js';
import { useContainers } from '../../stores/resources.js';
import { ContainerActions, containerAction, removeContainer } from './ContainerActions.js';
import { ContainerDetailView } from './ContainerDetail.js';
import { filterContainers, groupContainers, portLabel, portUrl, sortContainers, type SortKey } from './grouping.js';

function Ports({ c }: { c: ContainerRow }) {
  const published = c.ports.filter((p) => p.publicPort);
  if (!published.length) return <span className="muted">—</span>;
  return (
    <>
      {published.map((p) => (
        <a key={`${p.ip ?? ''}-${p.publicPort}-${p.privatePort}-${p.type}`} className="mono port" href={portUrl(p)} target="_blank" rel="noreferrer" style={{ marginRight: 8 }}>
          {portLabel(p)}
        </a>
      ))}
    </>
  );
}

interface RowProps { c: ContainerRow; selected: boolean; onSelect(id: string, on: boolean): void; onDelete(c: ContainerRow): void; indent: boolean }

// Memoised: an event patches one row object in the store, so only that row renders again (500 rows < 100 ms).
const Row = memo(function Row({ c, selected, onSelect, onDelete, indent }: RowProps) {
  const open = useNav((s) => s.openContainer);
  return (
    <tr data-testid="container-row" data-row-key={c.id} data-name={c.name} data-state={c.state}>
      <td style={{ width: 32 }}><input type="checkbox" aria-label={`Select ${c.name}`} checked={selected} onChange={(e) => onSelect(c.id, e.target.checked)} /></td>
      <td style={indent ? { paddingLeft: 28 } : undefined}>
        <div className="row">
          <span className={`dot ${c.state}`} aria-hidden />
          <div className="name-cell">
            <button className="linkish" onClick={() => open(c.id)}>{c.service ?? c.name}</button>
            <span className="muted mono">{shortId(c.id)}</span>
          </div>
        </div>
      </td>
      <td className="mono">{c.image}</td>
      <td><span className={`tag ${c.state === 'running' ? 'ok' : c.state === 'paused' || c.state === 'restarting' ? 'warn' : c.state === 'dead' ? 'err' : ''}`}>{c.state}</span> <span className="muted">{c.status}</span></td>
      <td><Ports c={c} /></td>
      <td className="muted">{timeAgo(c.created)}</td>
      <td className="actions"><ContainerActions c={c} onDelete={() => onDelete(c)} /></td>
    </tr>
  );
});

export function ContainersView() {
  const { items: all, loading, error, refresh } = useContainers();
  const showExtensions = useExtensions((s) => s.showContainers);
  // Extensions' backends are Docker Desktop's "system containers": hidden unless Settings shows them.
  const items = useMemo(() => (showExtensions ? all : all.filter((c) => !isExtensionContainer(c.labels))), [all, showExtensions]);
  const containerId = useNav((s) => s.containerId);
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<SortKey>('state');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState<ContainerRow[]>();
  useEffect(() => useContainers.start(), []);

  const groups = useMemo(() => groupContainers(sortContainers(filterContainers(items, query), sort)), [items, query, sort]);
  const chosen = items.filter((c) => selected.has(c.id));
  const setOne = useCallback((id: string, on: boolean) => setSelected((s) => { const n = new Set(s); if (on) n.add(id); else n.delete(id); return n; }), []);
  const askDelete = useCallback((c: ContainerRow) => setDeleting([c]), []);
  const rowKeys = useRowNavigation({
    memoryKey: 'containers',
    onOpen: (id) => useNav.getState().openContainer(id),
    onDelete: (id) => { const c = items.find((x) => x.id === id); if (c) askDelete(c); },
    onToggle: (id) => setOne(id, !selected.has(id)),
  });

  if (containerId) return <ContainerDetailView id={containerId} />;
  return (
    <section aria-labelledby="containers-title">
      <div className="view-header">
        <h1 id="containers-title">Containers</h1>
        {!loading && !error && <span className="sub">{items.filter((c) => c.state === 'running').length} running · {items.length} total</span>}
        <div className="spacer" />
        {chosen.length > 0 && (
          <div className="row" role="group" aria-label="Selected containers">
            <span className="muted">{chosen.length} selected</span>
            <button className="btn" onClick={() => chosen.forEach((c) => void containerAction(c, 'start'))}>Start</button>
            <button className="btn" onClick={() => chosen.forEach((c) => void containerAction(c, 'stop'))}>Stop</button>
            <button className="btn danger" onClick={() => setDeleting(chosen)}>Delete</button>
          </div>
        )}
        <input className="input search" type="search" aria-label="Search containers" placeholder="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <select className="input" aria-label="Sort containers" value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
          <option value="state">Status</option><option value="name">Name</option><option value="created">Newest</option><option value="image">Image</option>
        </select>
      </div>
      <div className="card">
        {error ? <ErrorState error={error} what="Containers" onRetry={() => void refresh()} /> : (
          <table className="list" aria-label="Containers" ref={rowKeys}>
            <thead><tr><th><span className="sr-only">Selected</span></th><th>Name</th><th>Image</th><th>Status</th><th>Ports</th><th>Created</th><th><span className="sr-only">Actions</span></th></tr></thead>
            {loading ? <SkeletonRows cols={7} /> : (
              <tbody>
                {groups.map((g) => (
                  <Fragment key={g.project ?? '-'}>
                    {g.project && (
                      <tr className="group-row" data-testid="compose-group"><td /><td colSpan={6}>{g.project} <span className="muted">· Compose · {g.running}/{g.rows.length} running</span></td></tr>
                    )}
                    {g.rows.map((c) => (
                      <Row key={c.id} c={c} indent={!!g.project} selected={selected.has(c.id)} onSelect={setOne} onDelete={askDelete} />
                    ))}
                  </Fragment>
                ))}
              </tbody>
            )}
          </table>
        )}
        {!loading && !error && groups.length === 0 && (
          <EmptyState title={query ? 'No container matches your search' : 'No containers yet'}>
            {!query && <p>Run one from the Images view, or with <code>docker run</code>.</p>}
          </EmptyState>
        )}
      </div>
      {deleting && (
        <ConfirmDialog title={deleting.length === 1 ? `Delete ${deleting[0]!.name}?` : `Delete ${deleting.length} containers?`} confirm="Delete"
          onClose={() => setDeleting(undefined)}
          onConfirm={() => { deleting.forEach((c) => void removeContainer(c)); setSelected(new Set()); }}
          body="Running containers are stopped first. Their anonymous data is lost; named volumes stay." />
      )}
    </section>
  );
}
