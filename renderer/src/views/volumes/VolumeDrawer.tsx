// One volume: what it is (driver, mountpoint, size, labels, who uses it) and its files, browsable and
// downloadable like a container's, read through a helper container the host creates and removes.
import type { VolumeRow } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { Drawer } from '../../components/Dialog.js';
import { formatBytes, timeAgo } from '../../lib/format.js';
import { FileBrowser } from '../files/FileBrowser.js';
import { sizeOf, useVolumeUsage } from './useVolumeUsage.js';

export function VolumeDrawer({ volume, onClose }: { volume: VolumeRow; onClose(): void }) {
  const usage = useVolumeUsage(true);
  const size = sizeOf(volume, usage);
  const labels = Object.entries(volume.labels);
  const name = volume.name;
  return (
    <Drawer title={name} onClose={onClose}>
      <dl className="kv" aria-label="Volume overview">
        <dt>Driver</dt><dd>{volume.driver}</dd>
        <dt>Mountpoint</dt><dd className="mono">{volume.mountpoint || '—'}</dd>
        <dt>Size</dt><dd data-testid="volume-size">{size >= 0 ? formatBytes(size) : usage ? '—' : 'measuring…'}</dd>
        <dt>Created</dt><dd>{volume.created ? <>{timeAgo(volume.created)} <span className="muted">({volume.created})</span></> : '—'}</dd>
        <dt>Used by</dt><dd>{volume.usedBy.length ? volume.usedBy.map((u) => <span className="tag" key={u}>{u}</span>) : <span className="muted">No container</span>}</dd>
        <dt>Labels</dt><dd className="mono">{labels.length ? labels.map(([k, v]) => <div key={k}>{k}{v ? `=${v}` : ''}</div>) : '—'}</dd>
      </dl>
      <h3 className="section-title">Files</h3>
      <FileBrowser source={{
        key: `volume:${name}`,
        list: (path) => berth().invoke('volumes.files', { name, path }),
        read: (path) => berth().invoke('volumes.readFile', { name, path }),
      }} />
    </Drawer>
  );
}
