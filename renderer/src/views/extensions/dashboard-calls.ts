// The ddClient calls the dashboard answers itself: toasts, navigation to Berth's own views (rejecting a target
// that does not exist, as Docker Desktop does), opening http(s) links, and the open dialog (OpenDialog.tsx).
import type { DashboardCall } from '@berth/electron/shared/extension-bridge.js';
import { berth } from '../../api/berth.js';
import { useNav } from '../../stores/nav.js';
import { useToasts } from '../../stores/toasts.js';
import { useOpenDialog } from './open-dialog.js';

export function dashboardCalls(title: string) {
  return {
    async call(c: DashboardCall): Promise<unknown> {
      switch (c.kind) {
        case 'ui.toast':
          useToasts.getState().push({ kind: c.level === 'error' ? 'error' : c.level === 'warning' ? 'info' : 'success', title, message: c.message });
          return null;
        case 'ui.openExternal': {
          const url = new URL(c.url);
          if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`only http and https links may be opened, not ${url.protocol}`);
          window.open(url.href, '_blank', 'noopener,noreferrer');
          return null;
        }
        case 'ui.navigate':
          return navigate(c.target, c.args);
        case 'ui.showOpenDialog':
          return useOpenDialog.getState().ask(title, c.options);
      }
    },
  };
}

async function navigate(target: string, args: string[]): Promise<null> {
  const nav = useNav.getState();
  const [id = ''] = args;
  switch (target) {
    case 'viewContainers': nav.go('containers'); return null;
    case 'viewImages': nav.go('images'); return null;
    case 'viewVolumes': nav.go('volumes'); return null;
    case 'viewContainer': case 'viewContainerLogs': case 'viewContainerInspect': case 'viewContainerTerminal': case 'viewContainerStats':
      await berth().invoke('containers.inspect', { id });
      nav.openContainer(id);
      return null;
    case 'viewImage':
      await berth().invoke('images.inspect', { id: args[1] ? `${id}:${args[1]}` : id });
      nav.openImage(id);
      return null;
    case 'viewVolume':
      if (!(await berth().invoke('volumes.list')).some((v) => v.name === id)) throw new Error(`volume ${id} not found`);
      nav.go('volumes');
      return null;
    default:
      throw new Error(`${target} is not a Berth view`);
  }
}
