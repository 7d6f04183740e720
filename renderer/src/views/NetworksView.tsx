import { useEffect, useState } from 'react';
import type { NetworkRow } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';
import { ConfirmDialog, Dialog, Drawer } from '../components/Dialog.js';
import { Icon } from '../components/Icon.js';
import { JsonView } from '../components/JsonView.js';
import { EmptyState, ErrorState, SkeletonRows } from '../components/States.js';
import { shortId } from '../lib/format.js';
import { useRowNavigation } from '../lib/keyboard/row-navigation.js';
import { useNetworks } from '../stores/resources.js';
import { toastError, toastSuccess } from '../stores/toasts.js';

const BUILTIN = new Set(['bridge', 'host', 'none']);

function CreateNetwork({ onClose }: { onClose(): void }) {
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [internal, setInternal] = useState(false);
  const create = () => berth().invoke('networks.create', { name, ...(subnet.trim() ? { subnet: subnet.trim() } : {}), internal })
    .then(() => { toastSuccess(`Created network ${name}`); onClose(); }, (e) => toastError('Could not create the network', e));
  return (
    <Dialog title="New network" onClose={onClose} footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn primary" disabled={!name.trim()} onClick={() => void create()}>Create</button>
    </>}>
      <label className="field">Name<input className="input" value={name} onChange={(e) => setName(e.target.value)} /></label>
      <label className="field">Subnet<input className="input mono" value={subnet} onChange={(e) => setSubnet(e.target.value)} placeholder="automatic, e.g. 172.30.0.0/24" /></label>
      <label className="row"><input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />Internal (no outside access)</label>
    </Dialog>
  );
}

function NetworkInspect({ id, name, onClose }: { id: string; name: string; onClose(): void }) {
  const [value, setValue] = useState<unknown>();
  useEffect(() => { berth().invoke('networks.inspect', { id }).then(setValue, (e) => toastError(`Could not inspect ${name}`, e)); }, [id, name]);
  return <Drawer title={name} onClose={onClose}>{value === undefined ? <div className="skeleton" /> : <JsonView value={value} label="Network JSON" />}</Drawer>;
}

export function NetworksView() {
  const { items, loading, error, refresh } = useNetworks();
  const [creating, setCreating] = useState(false);
  const [removing, setRemoving] = useState<NetworkRow>();
  const [inspecting, setInspecting] = useState<NetworkRow>();
  useEffect(() => useNetworks.start(), []);
  const rowKeys = useRowNavigation({
    onOpen: (id) => setInspecting(items.find((n) => n.id === id)),
    onDelete: (id) => { const n = items.find((x) => x.id === id); if (n && !BUILTIN.has(n.name)) setRemoving(n); },
  });
  const remove = (n: NetworkRow) => berth().invoke('networks.remove', { id: n.id }).then(() => toastSuccess(`Deleted network ${n.name}`), (e) => toastError(`Could not delete ${n.name}`, e));
  return (
    <section aria-labelledby="networks-title">
      <div className="view-header">
        <h1 id="networks-title">Networks</h1>
        {!loading && !error && <span className="sub">{items.length} network{items.length === 1 ? '' : 's'}</span>}
        <div className="spacer" />
        <button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" size={16} />New network</button>
      </div>
      <div className="card">
        {error ? <ErrorState error={error} what="Networks" onRetry={() => void refresh()} /> : (
          <table className="list" aria-label="Networks" ref={rowKeys}>
            <thead><tr><th>Name</th><th>ID</th><th>Driver</th><th>Subnet</th><th>Containers</th><th><span className="sr-only">Actions</span></th></tr></thead>
            {loading ? <SkeletonRows cols={6} /> : (
              <tbody>
                {items.map((n) => (
                  <tr key={n.id} data-testid="network-row" data-row-key={n.id} data-name={n.name}>
                    <td><button className="linkish" onClick={() => setInspecting(n)}>{n.name}</button>{n.internal && <span className="tag" style={{ marginLeft: 6 }}>internal</span>}</td>
                    <td className="mono">{shortId(n.id)}</td>
                    <td>{n.driver}</td>
                    <td className="mono">{n.subnet ?? '—'}</td>
                    <td>{n.containers}</td>
                    <td className="actions">
                      <button className="icon-btn danger" aria-label={`Delete network ${n.name}`} disabled={BUILTIN.has(n.name)} onClick={() => setRemoving(n)}><Icon name="trash" size={16} /></button>
                    </td>
                  </tr>
                ))}
              </tbody>
            )}
          </table>
        )}
        {!loading && !error && items.length === 0 && <EmptyState title="No networks" />}
      </div>
      {creating && <CreateNetwork onClose={() => setCreating(false)} />}
      {inspecting && <NetworkInspect id={inspecting.id} name={inspecting.name} onClose={() => setInspecting(undefined)} />}
      {removing && <ConfirmDialog title={`Delete network ${removing.name}?`} confirm="Delete" onClose={() => setRemoving(undefined)} onConfirm={() => void remove(removing)}
        body="Containers must be disconnected from it first." />}
    </section>
  );
}
