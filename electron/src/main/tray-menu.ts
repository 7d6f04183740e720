// The tray (menu bar) menu: engine status first, then what the user can do about it.
import type * as Electron from 'electron';
import type { EngineStatus } from '../shared/types.js';

export interface TrayActions {
  openDashboard(): void;
  start(): void;
  stop(): void;
  restart(): void;
  quit(): void;
}

const LABEL: Record<EngineStatus['state'], string> = {
  starting: 'Engine starting…', running: 'Engine running', stopped: 'Engine stopped', error: 'Engine error',
};

export function trayMenuTemplate(status: EngineStatus, actions: TrayActions, canControl: boolean): Electron.MenuItemConstructorOptions[] {
  const running = status.state === 'running';
  const stage = status.state === 'starting' && status.stage ? ` (${status.stage})` : '';
  return [
    { label: `${LABEL[status.state]}${stage}`, enabled: false },
    ...(status.reason && status.state !== 'running' ? [{ label: status.reason.slice(0, 80), enabled: false }] : []),
    { type: 'separator' },
    { label: 'Open Dashboard', click: actions.openDashboard },
    { type: 'separator' },
    { label: 'Start', enabled: canControl && (status.state === 'stopped' || status.state === 'error'), click: actions.start },
    { label: 'Stop', enabled: canControl && running, click: actions.stop },
    { label: 'Restart', enabled: canControl && (running || status.state === 'error'), click: actions.restart },
    { type: 'separator' },
    { label: 'Quit Berth', accelerator: 'CommandOrControl+Q', click: actions.quit },
  ];
}
