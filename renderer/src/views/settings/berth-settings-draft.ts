// The Settings form's text fields ↔ a SettingsChange holding only what the user changed.
import type { SettingsChange } from '@berth/electron/shared/settings-rules.js';
import type { BerthSettings } from '@berth/electron/shared/types.js';

export interface Draft {
  cpus: string;
  memoryMiB: string;
  diskGiB: string;
  sharedFolders: string;
  registryMirrors: string;
  insecureRegistries: string;
  startAtLogin: boolean;
  keepEngineOnQuit: boolean;
}

const list = (s: string) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean);
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
/** An empty or non-numeric field becomes NaN, which the rules reject with the allowed range. */
const num = (s: string) => (s.trim() === '' ? NaN : Number(s));

export function draftOf(s: BerthSettings): Draft {
  return {
    cpus: String(s.cpus), memoryMiB: String(s.memoryMiB), diskGiB: String(s.diskGiB),
    sharedFolders: s.sharedFolders.join('\n'), registryMirrors: s.registryMirrors.join('\n'), insecureRegistries: s.insecureRegistries.join('\n'),
    startAtLogin: s.startAtLogin, keepEngineOnQuit: s.keepEngineOnQuit,
  };
}

export function changeOf(d: Draft, s: BerthSettings): SettingsChange {
  const c: SettingsChange = {};
  if (num(d.cpus) !== s.cpus) c.cpus = num(d.cpus);
  if (num(d.memoryMiB) !== s.memoryMiB) c.memoryMiB = num(d.memoryMiB);
  if (num(d.diskGiB) !== s.diskGiB) c.diskGiB = num(d.diskGiB);
  if (!same(list(d.sharedFolders), s.sharedFolders)) c.sharedFolders = list(d.sharedFolders);
  if (!same(list(d.registryMirrors), s.registryMirrors)) c.registryMirrors = list(d.registryMirrors);
  if (!same(list(d.insecureRegistries), s.insecureRegistries)) c.insecureRegistries = list(d.insecureRegistries);
  if (d.startAtLogin !== s.startAtLogin) c.startAtLogin = d.startAtLogin;
  if (d.keepEngineOnQuit !== s.keepEngineOnQuit) c.keepEngineOnQuit = d.keepEngineOnQuit;
  return c;
}
