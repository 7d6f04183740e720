import { useToasts } from '../stores/toasts.js';

export function Toasts() {
  const { toasts, dismiss } = useToasts();
  return (
    <div className="toasts" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <div className="grow">
            <div className="title">{t.title}</div>
            {t.message && <div className="msg">{t.message}</div>}
            {t.hint && <div className="msg">{t.hint}</div>}
          </div>
          <button className="icon-btn" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
