// `docker extension ls` as Docker Desktop prints it: ID  PROVIDER  VERSION  UI  VM  HOST.
import type { InstalledExtension } from './store.js';

export interface LsRow {
  ext: InstalledExtension;
  vm?: { running: number; total: number } | undefined;
}

export function lsColumns({ ext, vm }: LsRow): string[] {
  const tab = ext.metadata.ui?.['dashboard-tab'];
  const vmCol = !vm ? '-' : vm.running > 0 ? `Running(${vm.running})` : `Stopped(${vm.total})`;
  const host = ext.hostBinaries.length ? `${ext.hostBinaries.length} binarie(s)` : '-';
  return [ext.id, ext.vendor || '-', ext.version, tab ? `1 tab(${tab.title})` : '-', vmCol, host];
}

export function formatLs(rows: LsRow[]): string {
  const table = [['ID', 'PROVIDER', 'VERSION', 'UI', 'VM', 'HOST'], ...rows.map(lsColumns)];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}
