import { useEffect, useRef, type ReactNode } from 'react';

// A modal: Escape closes it, focus moves into it and returns where it was.
export function Dialog({ title, onClose, children, footer, wide }: {
  title: string; onClose(): void; children: ReactNode; footer?: ReactNode; wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, textarea, select, button:not([data-close])');
    first?.focus();
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => { window.removeEventListener('keydown', onKey); before?.focus?.(); };
  }, [onClose]);
  return (
    <div className="overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} ref={ref} style={wide ? { width: 'min(760px, 94vw)' } : undefined}>
        <header><h2>{title}</h2></header>
        <div className="content">{children}</div>
        {footer && <footer>{footer}</footer>}
      </div>
    </div>
  );
}

export function ConfirmDialog({ title, body, confirm, onConfirm, onClose }: {
  title: string; body: ReactNode; confirm: string; onConfirm(): void; onClose(): void;
}) {
  return (
    <Dialog title={title} onClose={onClose} footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn danger solid" onClick={() => { onConfirm(); onClose(); }}>{confirm}</button>
    </>}>
      <div>{body}</div>
    </Dialog>
  );
}

export function Drawer({ title, onClose, children, actions }: { title: string; onClose(): void; children: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="drawer" role="dialog" aria-label={title}>
      <header>
        <h2>{title}</h2>
        {actions}
        <button className="icon-btn" aria-label="Close" onClick={onClose}>×</button>
      </header>
      <div className="content">{children}</div>
    </div>
  );
}
