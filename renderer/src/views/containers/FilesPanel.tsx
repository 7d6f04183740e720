import { useEffect, useState } from 'react';
import type { ContractError } from '@berth/electron/shared/errors.js';
import type { FileEntry } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { Icon } from '../../components/Icon.js';
import { ErrorState } from '../../components/States.js';
import { formatBytes } from '../../lib/format.js';
import { toastError } from '../../stores/toasts.js';

export function saveBase64(name: string, base64: string): void {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes]));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function FilesPanel({ id }: { id: string }) {
  const [dir, setDir] = useState('/');
  const [entries, setEntries] = useState<FileEntry[]>();
  const [error, setError] = useState<ContractError>();
  useEffect(() => {
    let live = true;
    setEntries(undefined);
    setError(undefined);
    berth().invoke('containers.files', { id, path: dir }).then((e) => live && setEntries(e), (e) => live && setError(e as ContractError));
    return () => { live = false; };
  }, [id, dir]);
  const parts = dir.split('/').filter(Boolean);
  const download = (f: FileEntry) => berth().invoke('containers.readFile', { id, path: f.path })
    .then((r) => saveBase64(r.name, r.base64), (e) => toastError(`Could not download ${f.name}`, e));

  return (
    <div className="files">
      <nav className="crumbs" aria-label="Path">
        <button className="linkish" onClick={() => setDir('/')}>/</button>
        {parts.map((p, i) => (
          <span key={i} className="row" style={{ gap: 4 }}>
            <button className="linkish" onClick={() => setDir(`/${parts.slice(0, i + 1).join('/')}`)}>{p}</button>
            {i < parts.length - 1 && <span className="muted">/</span>}
          </span>
        ))}
      </nav>
      {error && <ErrorState error={error} what="Files" />}
      {!error && (
        <table className="list" aria-label="Files">
          <thead><tr><th>Name</th><th>Size</th><th>Mode</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {!entries && <tr><td colSpan={4}><div className="skeleton" style={{ width: '40%' }} /></td></tr>}
            {entries?.map((f) => (
              <tr key={f.name}>
                <td>
                  <div className="row">
                    <Icon name={f.kind === 'dir' ? 'folder' : 'file'} size={16} />
                    {f.kind === 'dir' ? <button className="linkish" onClick={() => setDir(f.path)}>{f.name}</button> : <span>{f.name}</span>}
                    {f.linkTarget && <span className="muted mono">→ {f.linkTarget}</span>}
                  </div>
                </td>
                <td>{f.kind === 'file' ? formatBytes(f.size) : ''}</td>
                <td className="mono muted">{(f.mode & 0o7777).toString(8).padStart(4, '0')}</td>
                <td className="actions">{f.kind === 'file' && <button className="icon-btn" aria-label={`Download ${f.name}`} onClick={() => void download(f)}><Icon name="download" size={16} /></button>}</td>
              </tr>
            ))}
            {entries?.length === 0 && <tr><td colSpan={4} className="muted">Empty directory</td></tr>}
          </tbody>
        </table>
      )}
    </div>
  );
}
