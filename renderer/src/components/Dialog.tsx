import { useRef, type ReactNode } from 'react';
import { useFocusTrap } from '../lib/keyboard/focus-trap.js';

// A modal: focus moves into it (the first field, else the first button that is not Cancel) and stays there,
// Escape closes it, and focus returns to what opened it.
export function Dialog({ title, onClose, children, footer, wide, initialFocus }: {
  title: string; onClose(): void; children: ReactNode; footer?: ReactNode; wide?: boolean;
  /** Which element gets focus first; default: the first field, else the first button that is not Cancel. */
  initialFocus?: 'first' | 'cancel';
}) {
  const ref = useRef<HTMLDivElement>(null);
  useFocusTrap(ref, {
    onEscape: onClose,
    initialFocus: (root) => root.querySelector<HTMLElement>(initialFocus === 'cancel' ? '[data-close]' : 'input, textarea, select, button:not([data-close])'),
  });
  return (
    <div className="overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} ref={ref} tabIndex={-1} style={wide ? { width: 'min(760px, 94vw)' } : undefined}>
        <header><h2>{title}</h2></header>
        <div className="content">{children}</div>
        {footer && <footer>{footer}</footer>}
      </div>
    </div>
  );
}

/** Asks before something destructive; Cancel has focus so that a stray Enter does no harm. */
export function ConfirmDialog({ title, body, confirm, onConfirm, onClose }: {
  title: string; body: ReactNode; confirm: string; onConfirm(): void; onClose(): void;
}) {
  return (
    <Dialog title={title} onClose={onClose} initialFocus="cancel" footer={<>
      <button className="btn" data-close onClick={onClose}>Cancel</button>
      <button className="btn danger solid" onClick={() => { onConfirm(); onClose(); }}>{confirm}</button>
    </>}>
      <div>{body}</div>
    </Dialog>
  );
}

/** A side panel over the view; like a dialog it holds the keyboard until Escape or Close. */
export function Drawer({ title, onClose, children, actions }: { title: string; onClose(): void; children: ReactNode; actions?: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useFocusTrap(ref, { onEscape: onClose });
  return (
    <div className="drawer" role="dialog" aria-modal="true" aria-label={title} ref={ref} tabIndex={-1}>
      <header>
        <h2>{title}</h2>
        {actions}
        <button className="icon-btn" aria-label="Close" onClick={onClose}>×</button>
      </header>
      <div className="content">{children}</div>
    </div>
  );
}
