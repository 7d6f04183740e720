// Containers list logic kept out of the component: search, sort, and grouping by Compose project.
import type { ContainerRow } from '@berth/electron/shared/types.js';

export type SortKey = 'name' | 'created' | 'state' | 'image';

export interface ContainerGroup {
  /** Compose project name, or undefined for standalone containers. */
  project?: string;
  rows: ContainerRow[];
  running: number;
}

const stateRank: Record<string, number> = { running: 0, restarting: 1, paused: 2, created: 3, removing: 4, exited: 5, dead: 6 };

export function filterContainers(rows: ContainerRow[], query: string): ContainerRow[] {
  const q = query.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((c) => [c.name, c.image, c.id.slice(0, 12), c.project ?? '', c.service ?? ''].some((s) => s.toLowerCase().includes(q)));
}

export function sortContainers(rows: ContainerRow[], key: SortKey): ContainerRow[] {
  const by: Record<SortKey, (a: ContainerRow, b: ContainerRow) => number> = {
    name: (a, b) => a.name.localeCompare(b.name),
    created: (a, b) => b.created - a.created,
    state: (a, b) => (stateRank[a.state] ?? 9) - (stateRank[b.state] ?? 9) || a.name.localeCompare(b.name),
    image: (a, b) => a.image.localeCompare(b.image) || a.name.localeCompare(b.name),
  };
  return rows.slice().sort(by[key]);
}

/** Compose projects first (by name), then standalone containers as one unnamed group. */
export function groupContainers(rows: ContainerRow[]): ContainerGroup[] {
  const projects = new Map<string, ContainerRow[]>();
  const standalone: ContainerRow[] = [];
  for (const r of rows) {
    if (r.project) projects.set(r.project, [...(projects.get(r.project) ?? []), r]);
    else standalone.push(r);
  }
  const groups: ContainerGroup[] = [...projects.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([project, rs]) => ({ project, rows: rs, running: rs.filter((r) => r.state === 'running').length }));
  if (standalone.length) groups.push({ rows: standalone, running: standalone.filter((r) => r.state === 'running').length });
  return groups;
}

/** Where a published port can be opened from the user's machine. */
export function portUrl(p: { publicPort?: number; ip?: string }): string | undefined {
  if (!p.publicPort) return undefined;
  const host = !p.ip || p.ip === '0.0.0.0' || p.ip === '::' ? 'localhost' : p.ip.includes(':') ? `[${p.ip}]` : p.ip;
  return `http://${host}:${p.publicPort}`;
}

/** How `docker ps` writes a published port: `127.0.0.1:32768->80/tcp`. */
export function portLabel(p: { publicPort?: number; privatePort: number; ip?: string; type: string }): string {
  const ip = p.ip ? (p.ip.includes(':') ? `[${p.ip}]` : p.ip) : '0.0.0.0';
  return p.publicPort ? `${ip}:${p.publicPort}->${p.privatePort}/${p.type}` : `${p.privatePort}/${p.type}`;
}
