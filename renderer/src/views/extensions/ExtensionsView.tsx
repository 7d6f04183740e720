import { useEffect, useState } from 'react';
import type { CatalogResult, ExtensionRow } from '@berth/electron/shared/extension-types.js';
import { berth } from '../../api/berth.js';
import { ConfirmDialog } from '../../components/Dialog.js';
import { Tabs } from '../../components/Tabs.js';
import { useExtensions } from '../../stores/extensions.js';
import { useNav } from '../../stores/nav.js';
import { toastError, toastSuccess } from '../../stores/toasts.js';
import { InstallDialog } from './InstallDialog.js';

function backendText(e: ExtensionRow): string {
  if (!e.backend) return '-';
  return e.backend.running > 0 ? `Running (${e.backend.running})` : `Stopped (${e.backend.total})`;
}

/** Developer mode as `berth extension dev …` left it. */
function devText(dev: NonNullable<ExtensionRow['dev']>): string {
  return `Developer mode: ${[dev.debug ? 'debug' : '', dev.uiSource ? `UI from ${dev.uiSource}` : ''].filter(Boolean).join(', ')}`;
}

function Installed({ onInstall }: { onInstall(image: string): void }) {
  const { overview, error } = useExtensions();
  const openExtension = useNav((s) => s.openExtension);
  const [image, setImage] = useState('');
  const [removing, setRemoving] = useState<ExtensionRow>();
  const remove = (e: ExtensionRow) => berth().invoke('extensions.remove', { id: e.id }).then(
    () => { toastSuccess('Extension removed', e.title); void useExtensions.getState().refresh(); },
    (err) => toastError(`Could not remove ${e.title}`, err),
  );
  return (
    <>
      <form className="row install-form" onSubmit={(ev) => { ev.preventDefault(); if (image.trim()) onInstall(image.trim()); }}>
        <label htmlFor="ext-image">Install from image</label>
        <input id="ext-image" value={image} onChange={(e) => setImage(e.target.value)} placeholder="org/extension:tag" spellCheck={false} />
        <button className="btn solid" type="submit" disabled={!image.trim()}>Install</button>
      </form>
      {error && <p role="alert" className="error">{error.message}</p>}
      {overview && overview.extensions.length === 0 && <p className="muted">No extensions installed yet.</p>}
      {overview && overview.extensions.length > 0 && (
        <table className="table" aria-label="Installed extensions">
          <thead><tr><th>Extension</th><th>Provider</th><th>Version</th><th>Backend</th><th>Host binaries</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {overview.extensions.map((e) => (
              <tr key={e.id} data-row-key={e.id}>
                <td>
                  {e.icon && <img src={e.icon} alt="" width={20} height={20} />} <strong>{e.title}</strong><div className="muted">{e.id}</div>
                  {e.dev && <div className="muted dev-note">{devText(e.dev)}</div>}
                </td>
                <td>{e.vendor}</td>
                <td>{e.version}</td>
                <td>{backendText(e)}</td>
                <td>{e.hostBinaries.length || '-'}</td>
                <td className="actions">
                  {e.tab && <button className="btn" onClick={() => openExtension(e.id)}>Open</button>}
                  <button className="btn danger" aria-label={`Remove ${e.title}`} onClick={() => setRemoving(e)}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removing && <ConfirmDialog title={`Remove ${removing.title}?`} confirm="Remove" onClose={() => setRemoving(undefined)} onConfirm={() => void remove(removing)}
        body="Its backend containers and volumes, its files and its host binaries are deleted." />}
    </>
  );
}

function Catalog({ onInstall }: { onInstall(image: string): void }) {
  const [catalog, setCatalog] = useState<CatalogResult>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => { berth().invoke('extensions.catalog').then(setCatalog, (e: Error) => setFailed(e.message)); }, []);
  const overview = useExtensions((s) => s.overview);
  const installed = new Set(overview?.extensions.map((e) => e.id));
  const problem = failed ?? catalog?.error;
  if (problem) return <p role="alert" className="error">{problem}</p>;
  if (!catalog) return <p role="status">Loading the catalog…</p>;
  if (!catalog.source) return <p className="muted">No extension catalog is configured (berth dashboard --extensions-catalog URL). Install any extension image from the Installed tab.</p>;
  return (
    <ul className="catalog" aria-label="Extension catalog">
      {catalog.entries.map((e) => (
        <li key={e.image} className="card">
          {e.icon && (e.icon.startsWith('data:') ? <img src={e.icon} alt="" width={24} height={24} /> : null)}
          <strong>{e.title}</strong> {e.vendor && <span className="muted">{e.vendor}</span>}
          {e.description && <p>{e.description}</p>}
          {installed.has(e.image.replace(/:[^/:]+$/, '')) ? <span className="muted">Installed</span>
            : <button className="btn" aria-label={`Install ${e.title}`} onClick={() => onInstall(e.image)}>Install</button>}
        </li>
      ))}
    </ul>
  );
}

export function ExtensionsView() {
  const [tab, setTab] = useState<'installed' | 'browse'>('installed');
  const [installing, setInstalling] = useState<string>();
  useEffect(() => { void useExtensions.getState().refresh(); }, []);
  return (
    <section className="view" aria-labelledby="extensions-title">
      <header className="view-header"><h1 id="extensions-title">Extensions</h1></header>
      <Tabs<'installed' | 'browse'> label="Extensions" value={tab} onChange={setTab} tabs={[{ id: 'installed', label: 'Installed' }, { id: 'browse', label: 'Browse' }]} />
      <div role="tabpanel">
        {tab === 'installed' ? <Installed onInstall={setInstalling} /> : <Catalog onInstall={setInstalling} />}
      </div>
      {installing && <InstallDialog image={installing} onClose={() => setInstalling(undefined)} />}
    </section>
  );
}
