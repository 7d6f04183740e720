// A breadcrumb file browser over anything that can list a directory and read a file: a container's filesystem
// (archive API) or a volume (a helper container's archive API). One component for both, so they look alike.
import { useEffect, useState } from 'react';
import type { ContractError } from '@berth/electron/shared/errors.js';
import type { FileEntry } from '@berth/electron/shared/types.js';
import { Icon } from '../../components/Icon.js';
import { ErrorState } from '../../components/States.js';
import { formatBytes, timeAgo } from '../../lib/format.js';
import { toastError } from '../../stores/toasts.js';

export interface FileSource {
  /** Changes when the source does (another container or volume): the browser starts again at `/`. */
  key: string;
  list(dir: string): Promise<FileEntry[]>;
  read(path: string): Promise<{ name: string; base64: string }>;
}

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

/** `/a/b` → the crumbs `/`, `a`, `b` with the directory each opens. */
export function crumbs(dir: string): { label: string; path: string }[] {
  const parts = dir.split('/').filter(Boolean);
  return [{ label: '/', path: '/' }, ...parts.map((p, i) => ({ label: p, path: `/${parts.slice(0, i + 1).join('/')}` }))];
}

export function FileBrowser({ source }: { source: FileSource }) {
  const [dir, setDir] = useState('/');
  const [entries, setEntries] = useState<FileEntry[]>();
  const [error, setError] = useState<ContractError>();
  const [downloading, setDownloading] = useState<string>();
  useEffect(() => setDir('/'), [source.key]);
  useEffect(() => {
    let live = true;
    setEntries(undefined);
    setError(undefined);
    source.list(dir).then((e) => live && setEntries(e), (e) => live && setError(e as ContractError));
    return () => { live = false; };
    // The source is a fresh object each render; its key says when it is another one.
  }, [source.key, dir]);
  const download = (f: FileEntry) => {
    setDownloading(f.path);
    source.read(f.path).then((r) => saveBase64(r.name, r.base64), (e) => toastError(`Could not download ${f.name}`, e)).finally(() => setDownloading(undefined));
  };
  const path = crumbs(dir);

  return (
    <div className="files">
      <nav className="crumbs" aria-label="Path">
        {path.map((c, i) => (
          <span key={c.path} className="row" style={{ gap: 4 }}>
            {i > 1 && <span className="muted">/</span>}
            <button className="linkish" aria-current={i === path.length - 1 ? 'location' : undefined} onClick={() => setDir(c.path)}>{c.label}</button>
          </span>
        ))}
      </nav>
      {error && <ErrorState error={error} what="Files" />}
      {!error && (
        <table className="list" aria-label="Files" aria-busy={!entries}>
          <thead><tr><th>Name</th><th>Size</th><th>Mode</th><th>Modified</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {!entries && <tr><td colSpan={5}><div className="skeleton" style={{ width: '40%' }} /></td></tr>}
            {entries?.map((f) => (
              <tr key={f.name} data-testid="file-row" data-name={f.name}>
                <td>
                  <div className="row">
                    <Icon name={f.kind === 'dir' ? 'folder' : f.kind === 'symlink' ? 'link' : 'file'} size={16} />
                    {f.kind === 'dir' ? <button className="linkish" onClick={() => setDir(f.path)}>{f.name}</button> : <span>{f.name}</span>}
                    {f.linkTarget && <span className="muted mono">→ {f.linkTarget}</span>}
                  </div>
                </td>
                <td>{f.kind === 'file' ? formatBytes(f.size) : ''}</td>
                <td className="mono muted">{(f.mode & 0o7777).toString(8).padStart(4, '0')}</td>
                <td className="muted">{f.mtime ? timeAgo(f.mtime / 1000) : ''}</td>
                <td className="actions">
                  {f.kind === 'file' && (
                    <button className="icon-btn" aria-label={`Download ${f.name}`} title="Download" disabled={downloading === f.path} onClick={() => download(f)}>
                      <Icon name="download" size={16} />
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {entries?.length === 0 && <tr><td colSpan={5} className="muted">Empty directory</td></tr>}
          </tbody>
        </table>
      )}
    </div>
  );
}
