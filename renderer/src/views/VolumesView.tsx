import { useEffect, useMemo, useState } from 'react';
import type { VolumeRow } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';
import { volumePruneCandidates } from '@berth/electron/shared/prune-candidates.js';
import { ConfirmDialog, Dialog } from '../components/Dialog.js';
import { Icon } from '../components/Icon.js';
import { EmptyState, ErrorState, SkeletonRows } from '../components/States.js';
import { formatBytes, timeAgo } from '../lib/format.js';
import { useRowNavigation } from '../lib/keyboard/row-navigation.js';
import { useVolumes } from '../stores/resources.js';
import { toastError, toastSuccess } from '../stores/toasts.js';
import { PruneDialog } from './prune/PruneDialog.js';
import { VolumeDrawer } from './volumes/VolumeDrawer.js';
import { sizeOf, useVolumeUsage } from './volumes/useVolumeUsage.js';

function CreateVolume({ onClose }: { onClose(): void }) {
  const [name, setName] = useState('');
  const create = () => berth().invoke('volumes.create', { name }).then((v) => { toastSuccess(`Created volume ${v.name}`); onClose(); }, (e) => toastError('Could not create the volume', e));
  return (
    <Dialog title="New volume" onClose={onClose} footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn primary" onClick={() => void create()}>Create</button>
    </>}>
      <label className="field">Name<input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="a random name" />
        <span className="help">Letters, digits, and _ . - after the first character</span></label>
    </Dialog>
  );
}

export function VolumesView() {
  const { items, loading, error, refresh } = useVolumes();
  const [query, setQuery] = useState('');
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<VolumeRow>();
  const [pruning, setPruning] = useState(false);
  const [open, setOpen] = useState<string>();
  // Sizes come from GET /system/df; measured again whenever the list changes.
  const usage = useVolumeUsage(!loading && !error, items);
  const opened = items.find((v) => v.name === open);
  useEffect(() => useVolumes.start(), []);
  const rowKeys = useRowNavigation({
    onOpen: (name) => setOpen(name),
    onDelete: (name) => setRemoving(items.find((v) => v.name === name)),
  });
  const shown = useMemo(() => items.filter((v) => v.name.toLowerCase().includes(query.trim().toLowerCase())), [items, query]);

  const remove = (v: VolumeRow) => berth().invoke('volumes.remove', { name: v.name }).then(() => toastSuccess(`Deleted volume ${v.name}`), (e) => toastError(`Could not delete ${v.name}`, e));
  return (
    <section aria-labelledby="volumes-title">
      <div className="view-header">
        <h1 id="volumes-title">Volumes</h1>
        {!loading && !error && <span className="sub">{items.length} volume{items.length === 1 ? '' : 's'}</span>}
        <div className="spacer" />
        <input className="input search" type="search" aria-label="Search volumes" placeholder="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" size={16} />New volume</button>
        <button className="btn" onClick={() => setPruning(true)}><Icon name="broom" size={16} />Prune</button>
      </div>
      <div className="card">
        {error ? <ErrorState error={error} what="Volumes" onRetry={() => void refresh()} /> : (
          <table className="list" aria-label="Volumes" ref={rowKeys}>
            <thead><tr><th>Name</th><th>Driver</th><th>Used by</th><th>Size</th><th>Created</th><th><span className="sr-only">Actions</span></th></tr></thead>
            {loading ? <SkeletonRows cols={6} /> : (
              <tbody>
                {shown.map((v) => (
                  <tr key={v.name} data-testid="volume-row" data-row-key={v.name} data-name={v.name}>
                    <td className="mono"><button className="linkish" onClick={() => setOpen(v.name)}>{v.name}</button></td>
                    <td>{v.driver}</td>
                    <td>{v.usedBy.length ? v.usedBy.map((u) => <span className="tag" key={u}>{u}</span>) : <span className="muted">—</span>}</td>
                    <td>{sizeOf(v, usage) >= 0 ? formatBytes(sizeOf(v, usage)) : <span className="muted">—</span>}</td>
                    <td className="muted">{v.created ? timeAgo(v.created) : '—'}</td>
                    <td className="actions"><button className="icon-btn danger" aria-label={`Delete volume ${v.name}`} onClick={() => setRemoving(v)}><Icon name="trash" size={16} /></button></td>
                  </tr>
                ))}
              </tbody>
            )}
          </table>
        )}
        {!loading && !error && shown.length === 0 && <EmptyState title={query ? 'No volume matches your search' : 'No volumes yet'}>{!query && <p>Volumes keep data beyond a container&apos;s life.</p>}</EmptyState>}
      </div>
      {creating && <CreateVolume onClose={() => setCreating(false)} />}
      {removing && <ConfirmDialog title={`Delete volume ${removing.name}?`} confirm="Delete" onClose={() => setRemoving(undefined)} onConfirm={() => void remove(removing)}
        body="Everything stored in it is deleted. A volume in use cannot be deleted." />}
      {opened && <VolumeDrawer volume={opened} onClose={() => setOpen(undefined)} />}
      {pruning && (
        <PruneDialog<'anonymous' | 'all'> title="Prune unused volumes" noun="volume" initial="anonymous" onClose={() => setPruning(false)}
          choices={[
            { value: 'anonymous', label: 'Anonymous volumes only', help: 'Volumes made for a container without a name, that no container uses.' },
            { value: 'all', label: 'All unused volumes', help: 'Also named volumes no container uses. Their data is deleted.' },
          ]}
          candidates={(c) => volumePruneCandidates(items, c === 'all').map((v) => ({ key: v.name, name: v.name, size: sizeOf(v, usage) }))}
          prune={(c) => berth().invoke('volumes.prune', { all: c === 'all' })} />
      )}
    </section>
  );
}
