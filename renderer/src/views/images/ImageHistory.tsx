// `docker history` in the image drawer: one row per build step, newest first, with the command that made it,
// its size, when, and the comment; steps that added no layer (ENV, CMD, LABEL…) are dimmed.
import { useState } from 'react';
import type { ImageHistoryRow } from '@berth/electron/shared/types.js';
import { formatBytes, timeAgo } from '../../lib/format.js';
import { toastError } from '../../stores/toasts.js';
import { plural } from '../prune/PruneDialog.js';

/** The Dockerfile-ish instruction behind a history entry, as `docker history` shows it without the shell noise. */
export function historyCommand(createdBy: string): string {
  const s = createdBy.trim();
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(s);
  if (nop) return s.slice(nop[0].length).trim();
  // Classic builder RUN: `/bin/sh -c cmd`, with build args as `|2 A=1 B=2 /bin/sh -c cmd`.
  const run = /^(?:\|\d+(?:\s+\S+=\S*)*\s+)?\/bin\/sh -c\s+/.exec(s);
  if (run) return `RUN ${s.slice(run[0].length)}`;
  return s;
}

/** A step that added no layer (ENV, CMD, LABEL…): the history endpoint reports it with size 0. */
export function isEmptyLayer(h: ImageHistoryRow): boolean {
  return h.size === 0;
}

async function copy(text: string): Promise<void> {
  if (!navigator.clipboard) throw { code: 'internal', message: 'The clipboard is not available here.' };
  await navigator.clipboard.writeText(text);
}

export function ImageHistory({ history, layers }: { history: ImageHistoryRow[]; layers: string[] }) {
  const [copied, setCopied] = useState<number>();
  if (!history.length) {
    // An engine without GET /images/{name}/history: the layer digests are all there is.
    return (
      <table className="list" aria-label="Image layers">
        <thead><tr><th>Layer</th></tr></thead>
        <tbody>{layers.map((l) => <tr key={l}><td className="mono">{l}</td></tr>)}</tbody>
      </table>
    );
  }
  const total = history.reduce((n, h) => n + h.size, 0);
  return (
    <>
      <p className="muted">{plural(history.length, 'step')}, {history.filter((h) => !isEmptyLayer(h)).length} with a layer · {formatBytes(total)}</p>
      <table className="list history" aria-label="Image layers">
        <thead><tr><th>Created by</th><th>Size</th><th>Created</th><th>Comment</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {history.map((h, i) => {
            const cmd = historyCommand(h.createdBy);
            const empty = isEmptyLayer(h);
            return (
              <tr key={i} data-testid="history-row" className={empty ? 'empty-layer' : undefined} data-empty={empty}>
                <td className="mono history-cmd" title={h.createdBy}>{cmd || <span className="muted">—</span>}</td>
                <td>{empty ? <span className="muted">0 B</span> : formatBytes(h.size)}</td>
                <td className="muted nowrap">{h.created > 0 ? timeAgo(h.created) : '—'}</td>
                <td className="muted">{h.comment || ''}</td>
                <td className="actions">
                  {cmd && (
                    <button className="btn small" aria-label={`Copy command of step ${i + 1}`}
                      onClick={() => copy(cmd).then(() => setCopied(i), (e) => toastError('Could not copy', e))}>
                      {copied === i ? 'Copied' : 'Copy'}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
