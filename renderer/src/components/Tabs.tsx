import { useRef } from 'react';

// ARIA tabs: Left/Right (wrapping), Home and End pick a tab and move focus to it; Tab leaves the tab list.
export function Tabs<T extends string>({ tabs, value, onChange, label }: {
  tabs: { id: T; label: string }[]; value: T; onChange(v: T): void; label: string;
}) {
  const list = useRef<HTMLDivElement>(null);
  const pick = (i: number) => {
    onChange(tabs[i]!.id);
    list.current?.querySelectorAll<HTMLElement>('[role="tab"]')[i]?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} ref={list}
      onKeyDown={(e) => {
        const i = tabs.findIndex((t) => t.id === value);
        const to = { ArrowRight: (i + 1) % tabs.length, ArrowLeft: (i - 1 + tabs.length) % tabs.length, Home: 0, End: tabs.length - 1 }[e.key];
        if (to === undefined) return;
        e.preventDefault();
        pick(to);
      }}>
      {tabs.map((t) => (
        <button key={t.id} role="tab" aria-selected={t.id === value} tabIndex={t.id === value ? 0 : -1} onClick={() => onChange(t.id)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}
