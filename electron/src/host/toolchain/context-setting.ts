import { readFileSync } from 'node:fs';

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
