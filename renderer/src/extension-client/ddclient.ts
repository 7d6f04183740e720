// window.ddClient for Docker Desktop extensions, injected by the extension's server (or the Electron shell's scheme
// handler) before any page script runs
// (built as a classic script: dist/extension-client/ddclient.js). The v1 surface and the deprecated v0 aliases on
// one object, as Docker Desktop exposes them; every call goes over the frame bridge to the dashboard and host.
import type { BridgeError, ExecChunk, ExecScope, FrameConfig, NavigateTarget } from '@berth/electron/shared/extension-bridge.js';
import { execResult } from './exec-result.js';
import { createFrameBridge, windowPort } from './frame-bridge.js';
import { themeBag } from './themes.js';

interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  stream?: {
    onOutput?(data: { stdout: string } | { stderr: string }): void;
    onError?(error: unknown): void;
    onClose?(exitCode: number): void;
    splitOutputLines?: boolean;
  };
}

declare global {
  interface Window {
    __berthExtension?: FrameConfig;
    ddClient?: unknown;
    __ddMuiV5Themes?: unknown;
    __ddMuiV6Themes?: unknown;
  }
}

const config = window.__berthExtension;
if (config) install(config);

function install(cfg: FrameConfig): void {
  // The Electron view's preload pipe when there is one (its config names no dashboard origin), else the dashboard window.
  const bridge = createFrameBridge(window.__berthFrameBridge ?? windowPort(cfg.dashboardOrigin));

  const exec = (scope: ExecScope) => (cmd: string, args: string[] = [], opts: ExecOptions = {}) => {
    const spec = { scope, cmd, args: args.map(String), ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}) };
    const s = opts.stream;
    if (s) {
      // Docker Desktop answers a streaming exec synchronously with {close()}.
      return bridge.stream(spec, Boolean(s.splitOutputLines), (c: ExecChunk) => {
        if ('exit' in c) s.onClose?.(c.exit);
        else s.onOutput?.(c);
      });
    }
    return bridge.exec(spec).then((o) => {
      const r = execResult(o as Parameters<typeof execResult>[0]);
      // A non-zero exit rejects with the result (stdout, stderr, code), as Docker Desktop does.
      if (r.code !== 0 || r.signal) throw r;
      return r;
    });
  };
  const dockerExec = exec('docker');
  const vmExec = exec('vm');
  const hostExec = exec('host');

  const request = (method: string, url: string, data?: unknown, headers?: Record<string, string>) =>
    bridge.call({ kind: 'vm.request', method, url, ...(data !== undefined ? { data } : {}), ...(headers ? { headers } : {}) });
  const service = {
    get: (url: string) => request('GET', url),
    post: (url: string, data: unknown) => request('POST', url, data),
    put: (url: string, data: unknown) => request('PUT', url, data),
    patch: (url: string, data: unknown) => request('PATCH', url, data),
    delete: (url: string) => request('DELETE', url),
    head: (url: string) => request('HEAD', url),
    request: (c: { url: string; method: string; headers?: Record<string, string>; data?: unknown }) => request(c.method, c.url, c.data, c.headers),
  };

  const toast = (level: 'success' | 'warning' | 'error') => (message: string) => {
    void bridge.call({ kind: 'ui.toast', level, message: String(message) }).catch(() => undefined);
  };
  const nav = (target: NavigateTarget) => (...args: unknown[]) => bridge.call({ kind: 'ui.navigate', target, args: args.map(String) }).then(() => undefined);
  const navigate = {
    viewContainers: nav('viewContainers'), viewContainer: nav('viewContainer'), viewContainerLogs: nav('viewContainerLogs'),
    viewContainerInspect: nav('viewContainerInspect'), viewContainerTerminal: nav('viewContainerTerminal'),
    viewContainerStats: nav('viewContainerStats'), viewImages: nav('viewImages'), viewImage: nav('viewImage'),
    viewVolumes: nav('viewVolumes'), viewVolume: nav('viewVolume'), viewDevEnvironments: nav('viewDevEnvironments'),
  };
  const listContainers = (options?: Record<string, unknown>) => bridge.call({ kind: 'docker.listContainers', ...(options ? { options } : {}) });
  const listImages = (options?: Record<string, unknown>) => bridge.call({ kind: 'docker.listImages', ...(options ? { options } : {}) });
  const openExternal = (url: string) => { void bridge.call({ kind: 'ui.openExternal', url: String(url) }).catch((e: BridgeError) => console.error(e.message)); };

  /** v0's spawn*(cmd, args, callback(data, error)) on top of a streaming exec. */
  const spawnV0 = (run: typeof dockerExec) => (cmd: string, args: string[], cb: (data: unknown, err: unknown) => void) =>
    run(cmd, args, { stream: { onOutput: (d) => cb('stdout' in d ? d.stdout : undefined, 'stderr' in d ? d.stderr : undefined), onError: (e) => cb(undefined, e), splitOutputLines: true } });
  const words = (s: string) => s.split(' ').filter(Boolean);

  const v1 = {
    extension: {
      image: cfg.image,
      ...(cfg.hasBackend || cfg.hasVmService ? { vm: { cli: { exec: vmExec }, ...(cfg.hasVmService ? { service } : {}) } } : {}),
      ...(cfg.hasHostBinaries ? { host: { cli: { exec: hostExec } } } : {}),
    },
    docker: { cli: { exec: dockerExec }, listContainers, listImages },
    desktopUI: {
      toast: { success: toast('success'), warning: toast('warning'), error: toast('error') },
      dialog: { showOpenDialog: (options: Record<string, unknown>) => bridge.call({ kind: 'ui.showOpenDialog', options: options ?? {} }) },
      navigate,
    },
    host: { openExternal, platform: cfg.platform, arch: cfg.arch, hostname: cfg.hostname },
  };
  const v0 = {
    backend: {
      ...service,
      execInContainer: (container: string, cmd: string) => dockerExec('exec', [container, ...words(cmd)]),
      execInVMExtension: (cmd: string) => { const [c = '', ...a] = words(cmd); return vmExec(c, a); },
      spawnInVMExtension: spawnV0(vmExec),
    },
    toastSuccess: toast('success'), toastWarning: toast('warning'), toastError: toast('error'),
    listContainers, listImages,
    execHostCmd: (cmd: string) => { const [c = '', ...a] = words(cmd); return hostExec(c, a); },
    spawnHostCmd: spawnV0(hostExec),
    execDockerCmd: (cmd: string, ...args: string[]) => dockerExec(cmd, args),
    spawnDockerCmd: spawnV0(dockerExec),
    navigateToContainers: navigate.viewContainers, navigateToContainer: navigate.viewContainer,
    navigateToContainerLogs: navigate.viewContainerLogs, navigateToContainerInspect: navigate.viewContainerInspect,
    navigateToContainerStats: navigate.viewContainerStats, navigateToImages: navigate.viewImages,
    navigateToImage: navigate.viewImage, navigateToVolumes: navigate.viewVolumes, navigateToVolume: navigate.viewVolume,
    navigateToDevEnvironments: navigate.viewDevEnvironments,
    openExternal,
  };
  window.ddClient = { ...v0, ...v1 };
  window.__ddMuiV5Themes = themeBag;
  window.__ddMuiV6Themes = themeBag;
  // Docker's templates put class dockerDesktopTheme on <html> or <body> for "some minimal Docker theming".
  const style = document.createElement('style');
  style.textContent = ':root { color-scheme: light dark; } .dockerDesktopTheme body, body.dockerDesktopTheme { margin: 0; padding: 16px; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: Canvas; color: CanvasText; }';
  document.head.append(style);
}
