// Numbers and times the way the docker CLI prints them (decimal units for sizes, "2 hours ago").
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function timeAgo(unixSecondsOrIso: number | string, now = Date.now()): string {
  const t = typeof unixSecondsOrIso === 'number' ? unixSecondsOrIso * 1000 : Date.parse(unixSecondsOrIso);
  if (!Number.isFinite(t) || t <= 0) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return s < 2 ? 'just now' : `${s} seconds ago`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'a minute ago' : `${m} minutes ago`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'an hour ago' : `${h} hours ago`;
  const d = Math.round(h / 24);
  if (d < 60) return `${d} days ago`;
  const mo = Math.round(d / 30);
  if (mo < 24) return `${mo} months ago`;
  return `${Math.round(mo / 12)} years ago`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

export function percent(v: number): string {
  return `${v.toFixed(v < 10 ? 2 : 1)}%`;
}
