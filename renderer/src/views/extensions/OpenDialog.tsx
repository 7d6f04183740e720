import { useEffect, useState } from 'react';
import type { HostDirListing } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { Dialog } from '../../components/Dialog.js';
import { Icon } from '../../components/Icon.js';
import { formatBytes } from '../../lib/format.js';
import { CANCELED, pickable, shown, useOpenDialog, type OpenDialogMode } from './open-dialog.js';

/**
 * The dashboard's open dialog, answering an extension's showOpenDialog where no native one exists: the user walks the
 * host's folders (the dashboard lists them, never the extension), picks what the extension's options allow, and
 * only the picked paths go back to the extension. Cancel, Escape and leaving the tab answer `canceled`.
 */
export function OpenDialogHost() {
  const pending = useOpenDialog((s) => s.pending);
  // Leaving the tab (this unmounts) answers the request as canceled, as closing a native dialog does.
  useEffect(() => () => useOpenDialog.getState().settle(CANCELED), []);
  if (!pending) return null;
  return <OpenDialog asker={pending.asker} mode={pending.mode} onAnswer={(r) => useOpenDialog.getState().settle(r)} />;
}

function OpenDialog({ asker, mode, onAnswer }: { asker: string; mode: OpenDialogMode; onAnswer(r: { canceled: boolean; filePaths: string[] }): void }) {
  const [listing, setListing] = useState<HostDirListing>();
  const [error, setError] = useState<string>();
  const [typed, setTyped] = useState(mode.defaultPath ?? '');
  const [picked, setPicked] = useState<string[]>([]);
  const [filterIndex, setFilterIndex] = useState(0);
  const go = (dir?: string) => {
    setError(undefined);
    berth().invoke('host.listDir', dir ? { path: dir } : {}).then((l) => {
      setListing(l);
      setTyped(l.path);
      setPicked([]);
    }, (e: Error) => setError(e.message));
  };
  useEffect(() => go(mode.defaultPath), []);
  const filter = mode.filters[filterIndex];
  const entries = listing?.entries.filter((e) => shown(e, mode, filter)) ?? [];
  const toggle = (p: string) => setPicked((cur) => cur.includes(p) ? cur.filter((x) => x !== p) : mode.multi ? [...cur, p] : [p]);
  // Ticks are of the folder shown (opening another clears them, as in a native dialog), answered in its order; a
  // folder picker with nothing ticked picks the folder it shows, as native folder dialogs do.
  const answer = picked.length ? entries.filter((e) => picked.includes(e.path)).map((e) => e.path) : mode.folders && !mode.files && listing ? [listing.path] : [];
  const what = mode.folders && !mode.files ? (mode.multi ? 'folders' : 'a folder') : mode.folders ? (mode.multi ? 'files or folders' : 'a file or folder') : (mode.multi ? 'files' : 'a file');
  const cancel = () => onAnswer(CANCELED);

  return (
    <Dialog title={mode.title ?? 'Open'} wide onClose={cancel} footer={<>
      <button className="btn" data-close onClick={cancel}>Cancel</button>
      <button className="btn solid" disabled={!answer.length} onClick={() => onAnswer({ canceled: false, filePaths: answer })}>{mode.buttonLabel ?? 'Open'}</button>
    </>}>
      <p className="muted">{asker} asks you to pick {what} on this machine; it gets only what you pick.</p>
      <form className="row" onSubmit={(e) => { e.preventDefault(); go(typed.trim()); }}>
        <button type="button" className="btn" aria-label="Parent folder" disabled={!listing?.parent} onClick={() => listing?.parent && go(listing.parent)}>↑</button>
        <input aria-label="Folder" className="mono" style={{ flex: 1 }} value={typed} onChange={(e) => setTyped(e.target.value)} />
        <button type="submit" className="btn">Go</button>
      </form>
      {mode.filters.length > 1 && (
        <select aria-label="File types" value={filterIndex} onChange={(e) => { setFilterIndex(Number(e.target.value)); setPicked([]); }}>
          {mode.filters.map((f, i) => <option key={i} value={i}>{f.name}</option>)}
        </select>
      )}
      {error && <p role="alert" className="error">{error}</p>}
      <table className="list" aria-label="Folder contents" aria-busy={!listing}>
        <tbody>
          {entries.map((e) => (
            <tr key={e.path} data-testid="open-dialog-row" data-name={e.name}>
              <td style={{ width: '1%' }}>
                {pickable(e, mode) && (
                  <input type={mode.multi ? 'checkbox' : 'radio'} name="open-dialog-pick" aria-label={`Pick ${e.name}`}
                    checked={picked.includes(e.path)} onChange={() => toggle(e.path)} />
                )}
              </td>
              <td>
                <div className="row">
                  <Icon name={e.kind === 'dir' ? 'folder' : 'file'} size={16} />
                  {e.kind === 'dir' ? <button className="linkish" onClick={() => go(e.path)}>{e.name}</button> : <span>{e.name}</span>}
                </div>
              </td>
              <td className="muted">{e.kind === 'file' ? formatBytes(e.size) : ''}</td>
            </tr>
          ))}
          {listing && entries.length === 0 && <tr><td colSpan={3} className="muted">Nothing to pick here</td></tr>}
        </tbody>
      </table>
    </Dialog>
  );
}
