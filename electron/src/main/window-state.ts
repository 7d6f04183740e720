// Remembers the window's size, position and maximised state between runs (in Electron's userData folder).
import { readFileSync, writeFileSync } from 'node:fs';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1200, height: 780, maximized: false };

export function loadWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const width = Math.max(800, num(s.width) ?? DEFAULT_WINDOW_STATE.width);
    const height = Math.max(560, num(s.height) ?? DEFAULT_WINDOW_STATE.height);
    const x = num(s.x), y = num(s.y);
    return { width, height, maximized: s.maximized === true, ...(x !== undefined && y !== undefined ? { x, y } : {}) };
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  try {
    writeFileSync(file, JSON.stringify(state));
  } catch {
    // Losing the window position is not worth failing a quit for.
  }
}
