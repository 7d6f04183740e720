import type { ContainerAction } from '@berth/electron/shared/contract.js';
import type { ContainerRow } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';
import { Icon } from '../../components/Icon.js';
import { toastError } from '../../stores/toasts.js';

export function containerAction(c: Pick<ContainerRow, 'id' | 'name'>, action: ContainerAction): Promise<void> {
  return berth().invoke('containers.action', { id: c.id, action }).catch((e) => toastError(`Could not ${action} ${c.name}`, e));
}

export function removeContainer(c: Pick<ContainerRow, 'id' | 'name'>): Promise<void> {
  return berth().invoke('containers.remove', { id: c.id, force: true }).catch((e) => toastError(`Could not delete ${c.name}`, e));
}

export function ContainerActions({ c, onDelete }: { c: ContainerRow; onDelete(): void }) {
  const running = c.state === 'running' || c.state === 'restarting';
  const paused = c.state === 'paused';
  return (
    <>
      {running || paused
        ? <button className="icon-btn" aria-label={`Stop ${c.name}`} title="Stop" onClick={() => void containerAction(c, 'stop')}><Icon name="stop" size={16} /></button>
        : <button className="icon-btn" aria-label={`Start ${c.name}`} title="Start" onClick={() => void containerAction(c, 'start')}><Icon name="play" size={16} /></button>}
      {paused
        ? <button className="icon-btn" aria-label={`Resume ${c.name}`} title="Resume" onClick={() => void containerAction(c, 'unpause')}><Icon name="play" size={16} /></button>
        : <button className="icon-btn" aria-label={`Pause ${c.name}`} title="Pause" disabled={!running} onClick={() => void containerAction(c, 'pause')}><Icon name="pause" size={16} /></button>}
      <button className="icon-btn" aria-label={`Restart ${c.name}`} title="Restart" onClick={() => void containerAction(c, 'restart')}><Icon name="restart" size={16} /></button>
      <button className="icon-btn danger" aria-label={`Delete ${c.name}`} title="Delete" onClick={onDelete}><Icon name="trash" size={16} /></button>
    </>
  );
}
