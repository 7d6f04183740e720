import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';

/**
 * Settings → "Use the berth context" (`docker.useContext` in ~/.berth/settings.json): on unless the user turned it
 * off, as Docker Desktop makes its own context current.
 */
export function useContextSetting(settingsFile: string): boolean {
  try {
    const docker = (JSON.parse(readFileSync(settingsFile, 'utf8')) as { docker?: Record<string, unknown> }).docker ?? {};
    return docker.useContext !== false;
  } catch {
    return true;
  }
}

/** Stores the setting (every other key of settings.json kept), written atomically. */
export function saveUseContextSetting(settingsFile: string, on: boolean): void {
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  } catch {
    // No settings yet.
  }
  const docker = raw.docker && typeof raw.docker === 'object' ? (raw.docker as Record<string, unknown>) : (raw.docker = {});
  docker.useContext = on;
  writeFileAtomic(settingsFile, `${JSON.stringify(raw, null, 2)}\n`);
}
