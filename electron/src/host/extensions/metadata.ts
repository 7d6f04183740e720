// An extension's /metadata.json (Docker Desktop's format, DIGEST §1): parsed and checked, so a broken image is
// refused at install with a sentence that says what is wrong instead of failing later in the UI or the backend.

export type HostOs = 'darwin' | 'windows' | 'linux';

export interface ExtensionMetadata {
  icon?: string;
  ui?: { 'dashboard-tab'?: { title: string; root: string; src: string; backend?: { socket?: string } } };
  vm?: { image?: string; composefile?: string; exposes?: { socket?: string } };
  host?: { binaries?: Partial<Record<HostOs, { path: string }[]>>[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Record<string, unknown>, key: string, where: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') throw new Error(`metadata.json: ${where}.${key} must be a non-empty string`);
  return v;
}

/** Parses metadata.json text; throws with the field at fault. */
export function parseMetadata(text: string): ExtensionMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`metadata.json is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isObject(raw)) throw new Error('metadata.json must hold a JSON object');
  const meta: ExtensionMetadata = {};
  const icon = str(raw, 'icon', '', false);
  if (icon) meta.icon = icon;
  if (raw.ui !== undefined) {
    if (!isObject(raw.ui)) throw new Error('metadata.json: ui must be an object');
    const tab = raw.ui['dashboard-tab'];
    if (tab !== undefined) {
      if (!isObject(tab)) throw new Error('metadata.json: ui.dashboard-tab must be an object');
      const title = str(tab, 'title', 'ui.dashboard-tab', true)!;
      const root = str(tab, 'root', 'ui.dashboard-tab', true)!;
      const src = str(tab, 'src', 'ui.dashboard-tab', true)!;
      const backend = isObject(tab.backend) ? { socket: str(tab.backend, 'socket', 'ui.dashboard-tab.backend', false) } : undefined;
      meta.ui = { 'dashboard-tab': { title, root, src, ...(backend?.socket ? { backend: { socket: backend.socket } } : {}) } };
    }
  }
  if (raw.vm !== undefined) {
    if (!isObject(raw.vm)) throw new Error('metadata.json: vm must be an object');
    const image = str(raw.vm, 'image', 'vm', false);
    const composefile = str(raw.vm, 'composefile', 'vm', false);
    if (Boolean(image) === Boolean(composefile)) throw new Error('metadata.json: vm must hold exactly one of image or composefile');
    const socket = isObject(raw.vm.exposes) ? str(raw.vm.exposes, 'socket', 'vm.exposes', false) : undefined;
    if (socket !== undefined && (socket.includes('/') || socket === '..')) throw new Error('metadata.json: vm.exposes.socket must be a file name');
    meta.vm = { ...(image ? { image } : {}), ...(composefile ? { composefile } : {}), ...(socket ? { exposes: { socket } } : {}) };
  }
  if (raw.host !== undefined) {
    if (!isObject(raw.host)) throw new Error('metadata.json: host must be an object');
    const bins = raw.host.binaries;
    if (bins !== undefined) {
      if (!Array.isArray(bins)) throw new Error('metadata.json: host.binaries must be a list');
      const binaries = bins.map((entry, i) => {
        if (!isObject(entry)) throw new Error(`metadata.json: host.binaries[${i}] must be an object`);
        const out: Partial<Record<HostOs, { path: string }[]>> = {};
        for (const os of ['darwin', 'windows', 'linux'] as const) {
          const list = entry[os];
          if (list === undefined) continue;
          if (!Array.isArray(list)) throw new Error(`metadata.json: host.binaries[${i}].${os} must be a list`);
          out[os] = list.map((b, j) => ({ path: str(isObject(b) ? b : {}, 'path', `host.binaries[${i}].${os}[${j}]`, true)! }));
        }
        return out;
      });
      meta.host = { binaries };
    }
  }
  return meta;
}

/** The host OS name metadata.json uses for this machine. */
export function hostOs(platform: NodeJS.Platform = process.platform): HostOs {
  return platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : 'linux';
}

/** The image paths of this OS's host binaries. */
export function hostBinaryPaths(meta: ExtensionMetadata, os: HostOs): string[] {
  return (meta.host?.binaries ?? []).flatMap((entry) => (entry[os] ?? []).map((b) => b.path));
}

/** A path in the image, normalised to absolute (`ui` and `/ui` are both seen in the wild). */
export function imagePath(p: string): string {
  const abs = `/${p.replace(/^\.?\/+/, '')}`.replace(/\/+$/, '');
  if (abs.split('/').includes('..')) throw new Error(`metadata.json: path ${JSON.stringify(p)} leaves the image root`);
  return abs || '/';
}
