import { useState } from 'react';
import { berth } from '../../api/berth.js';
import { Dialog } from '../../components/Dialog.js';
import { useExtensions } from '../../stores/extensions.js';
import { toastSuccess } from '../../stores/toasts.js';

/** Docker Desktop's own warning before an extension is installed. */
export const INSTALL_WARNING = 'Extensions can install binaries, invoke commands and access files on your machine. Are you sure you want to continue?';

/** Asks first, then installs and shows the install's progress lines; a failure (rolled back) stays on screen. */
export function InstallDialog({ image, onClose }: { image: string; onClose(): void }) {
  const [lines, setLines] = useState<string[]>([]);
  const [phase, setPhase] = useState<'ask' | 'running' | 'failed'>('ask');
  const [error, setError] = useState<string>();
  const start = () => {
    setPhase('running');
    berth().stream('extensions.install', { image }, {
      onData: (line) => setLines((l) => [...l, line]),
      onEnd: (err) => {
        void useExtensions.getState().refresh();
        if (err) { setError(err.message); setPhase('failed'); return; }
        toastSuccess('Extension installed', image);
        onClose();
      },
    });
  };
  return (
    <Dialog title={`Install ${image}`} onClose={phase === 'running' ? () => undefined : onClose} initialFocus="cancel" footer={phase === 'ask' ? <>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn solid" onClick={start}>Install</button>
    </> : phase === 'failed' ? <button className="btn" data-close onClick={onClose}>Close</button> : undefined}>
      {phase === 'ask' && <p>{INSTALL_WARNING}</p>}
      {lines.length > 0 && <pre className="install-log" aria-label="Install progress">{lines.join('\n')}</pre>}
      {phase === 'running' && <p role="status">Installing…</p>}
      {error && <p role="alert" className="error">Install failed: {error}</p>}
    </Dialog>
  );
}
