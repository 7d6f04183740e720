import type { ContractError } from '@berth/electron/shared/errors.js';
import type { ReactNode } from 'react';

export function ErrorState({ error, what, onRetry }: { error: ContractError; what: string; onRetry?: () => void }) {
  const missing = error.code === 'not_implemented';
  const down = error.code === 'engine_down';
  const title = missing ? `${what} are not available on this engine yet` : down ? 'The engine is not reachable' : `Could not load ${what.toLowerCase()}`;
  return (
    <div className="state-box error" role="alert">
      <h3>{title}</h3>
      <p className="hint">{error.message}</p>
      {error.hint && <p className="hint">{error.hint}</p>}
      {onRetry && <button className="btn" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state-box">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function SkeletonRows({ rows = 5, cols = 5 }: { rows?: number; cols?: number }) {
  return (
    <tbody aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r}>
          {Array.from({ length: cols }, (_, c) => <td key={c}><div className="skeleton" style={{ width: `${40 + ((r * 7 + c * 13) % 50)}%` }} /></td>)}
        </tr>
      ))}
    </tbody>
  );
}
