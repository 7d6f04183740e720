// Prune with the consequences in view: pick what to prune, see what would go and how much space (from the lists
// the UI already has), confirm, then see what the engine actually removed and what it reclaimed.
import { useState } from 'react';
import type { ContractError } from '@berth/electron/shared/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { formatBytes } from '../../lib/format.js';
import { toastError, toastSuccess } from '../../stores/toasts.js';

export interface PruneChoice<K extends string> {
  value: K;
  label: string;
  help: string;
}

export interface PruneCandidate {
  key: string;
  name: string;
  /** Bytes; negative when unknown. */
  size: number;
}

export interface PruneResult {
  deleted: number;
  spaceReclaimed: number;
  removed: string[];
}

export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** "3 images, 12.4 MB" (or "at most" when parts are shared, or without size when none is known). */
export function candidateSummary(candidates: PruneCandidate[], noun: string, shared: boolean): string {
  const known = candidates.filter((c) => c.size >= 0);
  if (!known.length) return plural(candidates.length, noun);
  const total = known.reduce((n, c) => n + c.size, 0);
  return `${plural(candidates.length, noun)}, ${shared ? 'at most ' : ''}${formatBytes(total)}`;
}

export function PruneDialog<K extends string>({ title, noun, choices, initial, candidates, shared = false, prune, onClose }: {
  title: string;
  /** Singular: "image", "volume". */
  noun: string;
  choices: PruneChoice<K>[];
  initial: K;
  candidates(choice: K): PruneCandidate[];
  /** Whether candidates share storage (image layers), so the sum is an upper bound. */
  shared?: boolean;
  prune(choice: K): Promise<PruneResult>;
  onClose(): void;
}) {
  const [choice, setChoice] = useState<K>(initial);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PruneResult>();
  const list = candidates(choice);
  const run = () => {
    setBusy(true);
    prune(choice).then((r) => {
      setResult(r);
      toastSuccess(`Deleted ${plural(r.deleted, noun)}`, `${formatBytes(r.spaceReclaimed)} reclaimed`);
    }, (e) => toastError(`Could not prune ${noun}s`, e as ContractError)).finally(() => setBusy(false));
  };

  if (result) {
    return (
      <Dialog title={title} onClose={onClose} footer={<button className="btn primary" onClick={onClose}>Done</button>}>
        <p role="status" data-testid="prune-result">Deleted {plural(result.deleted, noun)} · {formatBytes(result.spaceReclaimed)} reclaimed</p>
        {result.removed.length > 0 && (
          <ul className="prune-list" aria-label={`Deleted ${noun}s`}>
            {result.removed.map((n) => <li key={n} className="mono">{n}</li>)}
          </ul>
        )}
      </Dialog>
    );
  }
  return (
    <Dialog title={title} onClose={onClose} footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn danger solid" disabled={busy || list.length === 0} onClick={run}>
        {list.length ? `Delete ${plural(list.length, noun)}` : 'Nothing to delete'}
      </button>
    </>}>
      <fieldset className="prune-choices">
        <legend className="sr-only">What to prune</legend>
        {choices.map((c) => (
          <label key={c.value} className="prune-choice">
            <input type="radio" name="prune-choice" value={c.value} checked={choice === c.value} onChange={() => setChoice(c.value)} />
            <span><strong>{c.label}</strong><span className="help">{c.help}</span></span>
          </label>
        ))}
      </fieldset>
      <h3 className="prune-summary" data-testid="prune-summary">{list.length ? `Will delete ${candidateSummary(list, noun, shared)}` : `No ${noun}s to delete`}</h3>
      {list.length > 0 && (
        <ul className="prune-list" aria-label={`${noun[0]!.toUpperCase()}${noun.slice(1)}s to delete`}>
          {list.map((c) => (
            <li key={c.key} data-name={c.name}><span className="mono">{c.name}</span><span className="muted">{c.size >= 0 ? formatBytes(c.size) : ''}</span></li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
