import { useEffect, useMemo, useState } from 'react';
import type { ImageRow } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { imagePruneCandidates } from '@berth/electron/shared/prune-candidates.js';
import { ConfirmDialog, Dialog } from '../../components/Dialog.js';
import { Icon } from '../../components/Icon.js';
import { EmptyState, ErrorState, SkeletonRows } from '../../components/States.js';
import { formatBytes, shortId, timeAgo } from '../../lib/format.js';
import { useRowNavigation } from '../../lib/keyboard/row-navigation.js';
import { useNav } from '../../stores/nav.js';
import { usePulls } from '../../stores/pulls.js';
import { useImages } from '../../stores/resources.js';
import { toastError, toastSuccess } from '../../stores/toasts.js';
import { PruneDialog } from '../prune/PruneDialog.js';
import { ImageInspect } from './ImageInspect.js';
import { PullPanel } from './PullPanel.js';
import { RunDialog } from './RunDialog.js';

export function imageName(img: ImageRow): string {
  return img.tags[0] ?? (img.digests[0]?.split('@')[0] ? `${img.digests[0].split('@')[0]}@<none>` : '<none>');
}

function PullForm() {
  const [ref, setRef] = useState('');
  const pull = usePulls((s) => s.pull);
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); if (ref.trim()) { pull(ref.trim()); setRef(''); } }}>
      <input className="input" style={{ width: 300 }} aria-label="Image to pull" placeholder="registry/repository:tag" value={ref} onChange={(e) => setRef(e.target.value)} />
      <button className="btn primary" type="submit" disabled={!ref.trim()}><Icon name="download" size={16} />Pull</button>
    </form>
  );
}

function TagDialog({ image, onClose }: { image: ImageRow; onClose(): void }) {
  const [target, setTarget] = useState('');
  const save = () => {
    const i = target.lastIndexOf(':');
    const [repo, tag] = i > target.lastIndexOf('/') ? [target.slice(0, i), target.slice(i + 1)] : [target, 'latest'];
    berth().invoke('images.tag', { id: image.id, repo, tag }).then(() => { toastSuccess(`Tagged ${repo}:${tag}`); onClose(); }, (e) => toastError('Could not tag the image', e));
  };
  return (
    <Dialog title={`Tag ${imageName(image)}`} onClose={onClose} footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn primary" disabled={!target.trim()} onClick={save}>Tag</button>
    </>}>
      <label className="field">New name<input className="input" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="registry/repository:tag" /></label>
    </Dialog>
  );
}

export function ImagesView() {
  const { items, loading, error, refresh } = useImages();
  const { imageId, openImage } = useNav();
  const push = usePulls((s) => s.push);
  const [query, setQuery] = useState('');
  const [removing, setRemoving] = useState<ImageRow>();
  const [running, setRunning] = useState<string>();
  const [tagging, setTagging] = useState<ImageRow>();
  const [pruning, setPruning] = useState(false);
  useEffect(() => useImages.start(), []);
  const rowKeys = useRowNavigation({
    onOpen: (id) => openImage(id),
    onDelete: (id) => setRemoving(items.find((i) => i.id === id)),
  });

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q ? items.filter((i) => [...i.tags, i.id].some((s) => s.toLowerCase().includes(q))) : items;
  }, [items, query]);
  const total = items.reduce((n, i) => n + i.size, 0);

  const remove = (img: ImageRow) => berth().invoke('images.remove', { id: img.tags[0] ?? img.id, force: false })
    .then(() => toastSuccess(`Removed ${imageName(img)}`), (e) => toastError(`Could not remove ${imageName(img)}`, e));

  return (
    <section aria-labelledby="images-title">
      <div className="view-header">
        <h1 id="images-title">Images</h1>
        {!loading && !error && <span className="sub">{items.length} image{items.length === 1 ? '' : 's'} · {formatBytes(total)}</span>}
        <div className="spacer" />
        <input className="input search" type="search" aria-label="Search images" placeholder="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
        <PullForm />
        <button className="btn" onClick={() => setPruning(true)}><Icon name="broom" size={16} />Prune</button>
      </div>
      <PullPanel />
      <div className="card">
        {error ? <ErrorState error={error} what="Images" onRetry={() => void refresh()} /> : (
          <table className="list" aria-label="Images" ref={rowKeys}>
            <thead><tr><th>Name</th><th>Image ID</th><th>Created</th><th>Size</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
            {loading ? <SkeletonRows cols={6} /> : (
              <tbody>
                {shown.map((img) => {
                  const name = imageName(img);
                  return (
                    <tr key={img.id} data-testid="image-row" data-row-key={img.id} data-name={name}>
                      <td>
                        <div className="name-cell">
                          <button className="linkish" onClick={() => openImage(img.id)} aria-label={`Inspect ${name}`}>{name}</button>
                          {img.tags.length > 1 && <span className="muted">{img.tags.slice(1).join(', ')}</span>}
                        </div>
                      </td>
                      <td className="mono">{shortId(img.id)}</td>
                      <td className="muted">{timeAgo(img.created)}</td>
                      <td>{formatBytes(img.size)}</td>
                      <td>{img.containers > 0 ? <span className="tag ok">In use</span> : <span className="tag">Unused</span>}</td>
                      <td className="actions">
                        <button className="icon-btn" aria-label={`Run ${name}`} title="Run" onClick={() => setRunning(img.tags[0] ?? img.id)}><Icon name="play" size={16} /></button>
                        <button className="icon-btn" aria-label={`Tag ${name}`} title="Tag" onClick={() => setTagging(img)}><Icon name="link" size={16} /></button>
                        <button className="icon-btn" aria-label={`Push ${name}`} title="Push" disabled={!img.tags[0]} onClick={() => img.tags[0] && push(img.tags[0])}><Icon name="upload" size={16} /></button>
                        <button className="icon-btn" aria-label={`Inspect ${name} details`} title="Inspect" onClick={() => openImage(img.id)}><Icon name="info" size={16} /></button>
                        <button className="icon-btn danger" aria-label={`Delete ${name}`} title="Delete" onClick={() => setRemoving(img)}><Icon name="trash" size={16} /></button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            )}
          </table>
        )}
        {!loading && !error && shown.length === 0 && (
          <EmptyState title={query ? 'No image matches your search' : 'No images yet'}>
            {!query && <p>Pull one with the field above, e.g. <code>busybox:latest</code>, or run <code>docker pull</code>.</p>}
          </EmptyState>
        )}
      </div>
      {imageId && <ImageInspect id={imageId} onClose={() => openImage(undefined)} />}
      {running && <RunDialog image={running} onClose={() => setRunning(undefined)} />}
      {tagging && <TagDialog image={tagging} onClose={() => setTagging(undefined)} />}
      {removing && (
        <ConfirmDialog title={`Delete ${imageName(removing)}?`} confirm="Delete" onClose={() => setRemoving(undefined)} onConfirm={() => void remove(removing)}
          body={<>This removes the tag <strong>{imageName(removing)}</strong> and, if nothing else refers to them, its layers ({formatBytes(removing.size)}).</>} />
      )}
      {pruning && (
        <PruneDialog<'dangling' | 'all'> title="Prune images" noun="image" initial="dangling" shared onClose={() => setPruning(false)}
          choices={[
            { value: 'dangling', label: 'Dangling images only', help: 'Images without a tag that no container uses.' },
            { value: 'all', label: 'All unused images', help: 'Every image no container uses, tagged or not. Pull them again to use them.' },
          ]}
          candidates={(c) => imagePruneCandidates(items, c === 'dangling').map((i) => ({ key: i.id, name: imageName(i), size: i.size }))}
          prune={(c) => berth().invoke('images.prune', { dangling: c === 'dangling' })} />
      )}
    </section>
  );
}
