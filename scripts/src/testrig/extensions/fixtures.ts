// Docker extension images for the tests, assembled from files without a daemon (as the rig's busybox images
// are): each is one Docker Desktop extension as an author would publish it, labels and metadata.json included.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageBuilder, type LayerSpec } from '../images/builder.js';
import { busyboxRootfs } from '../images/busybox-rootfs.js';
import { pushImage, type RegistryEndpoint } from '../images/push.js';
import { dir, file, type LayerEntry } from '../images/tar-layer.js';
import type { ManifestFixture } from '../images/types.js';
import { reactUiFiles } from './react-ui.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The sources sit in src/ (tsc does not copy them to dist).
const SRC = HERE.replace(`${path.sep}dist${path.sep}`, `${path.sep}src${path.sep}`);
const amd64 = { os: 'linux', architecture: 'amd64' };

export const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10" fill="#1d63ed"/></svg>\n';

export function extensionLabels(title: string, apiVersion = '>= 0.2.3'): Record<string, string> {
  return {
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.description': `${title}: a Berth test extension`,
    'org.opencontainers.image.vendor': 'Berth Tests',
    'com.docker.desktop.extension.api.version': apiVersion,
    'com.docker.desktop.extension.icon': 'https://example.invalid/icon.svg',
    'com.docker.extension.screenshots': '[]',
    'com.docker.extension.detailed-description': `<p>${title}</p>`,
    'com.docker.extension.publisher-url': 'https://example.invalid',
    'com.docker.extension.changelog': '<p>first</p>',
  };
}

function probeUi(title: string, checks: string): LayerEntry[] {
  const html = `<!doctype html><html class="dockerDesktopTheme"><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body data-checks="${checks}"><h1>${title}</h1><ul id="out"></ul><script src="./probe.js"></script></body></html>\n`;
  return [dir('ui'), file('ui/index.html', html), file('ui/probe.js', readFileSync(path.join(SRC, 'probe.js')))];
}

function meta(m: object): LayerEntry[] {
  return [file('metadata.json', `${JSON.stringify(m, null, 2)}\n`), file('icon.svg', ICON_SVG)];
}

const tab = (title: string, extra: object = {}) => ({ ui: { 'dashboard-tab': { title, root: '/ui', src: 'index.html', ...extra } } });

/** Compiles the fixture backend (static, so it runs in a busybox image); `gcc` is a setup.sh dependency. */
export async function buildExtBackend(): Promise<Buffer> {
  // The binary is read into the image; its folder goes at once (each test run made another one under /tmp).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-ext-backend-'));
  try {
    const out = path.join(dir, 'ext-backend');
    const cc = spawnSync('gcc', ['-static', '-O2', '-o', out, path.join(SRC, '..', 'ext-backend.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc ext-backend.c failed: ${cc.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const HOST_BINARY = '#!/bin/sh\necho "hello from the host: $*"\n';

export type ExtensionFixtureName = 'ui' | 'backend' | 'host' | 'compose' | 'badApi' | 'noLabels' | 'brokenBackend';

export interface ExtensionFixtures {
  builder: ImageBuilder;
  images: Record<ExtensionFixtureName, { repo: string; image: ManifestFixture }>;
}

export async function buildExtensionFixtures(): Promise<ExtensionFixtures> {
  const b = new ImageBuilder();
  const backend = await buildExtBackend();
  const base: LayerSpec = { entries: busyboxRootfs(), compression: 'gzip' };
  const layer = (entries: LayerEntry[]): LayerSpec => ({ entries, compression: 'gzip' });
  const image = async (repo: string, title: string, layers: LayerSpec[], cmd?: string[], apiVersion?: string, labels?: Record<string, string>) => ({
    repo,
    image: await b.image({
      format: 'docker', platform: amd64, layers,
      config: { Labels: labels ?? extensionLabels(title, apiVersion), ...(cmd ? { Cmd: cmd } : {}) },
    }),
  });
  const composeYaml = [
    'services:',
    '  api:',
    '    image: ${DESKTOP_PLUGIN_IMAGE}',
    '    command: ["/ext-backend", "/run/guest-services/api.sock", "compose-api"]',
    // As extensions that drive the engine do (volumes-backup): Docker Desktop's VM serves it at docker.sock.raw.
    '    volumes: ["ext-data:/data", "/var/run/docker.sock.raw:/var/run/docker.sock"]',
    '  worker:',
    '    image: ${DESKTOP_PLUGIN_IMAGE}',
    '    command: ["/ext-backend", "/tmp/worker.sock", "compose-worker"]',
    'volumes:',
    '  ext-data: {}',
    '',
  ].join('\n');
  const sock = { vm: { image: '${DESKTOP_PLUGIN_IMAGE}', exposes: { socket: 'backend.sock' } } };
  return {
    builder: b,
    images: {
      ui: await image('berth-ext/hello-ui', 'Hello UI', [layer([...meta({ icon: 'icon.svg', ...tab('Hello UI') }), ...probeUi('Hello UI', 'basics toast stream v0')])]),
      backend: await image('berth-ext/backend', 'Backend', [base, layer([
        file('ext-backend', backend, { mode: 0o755 }),
        ...meta({ icon: 'icon.svg', ...tab('Backend', { backend: { socket: 'backend.sock' } }), ...sock }),
        ...probeUi('Backend', 'vm'),
      ])], ['/ext-backend', '/run/guest-services/backend.sock', 'backend']),
      host: await image('berth-ext/host-tools', 'Host Tools', [layer([
        ...meta({
          icon: '/icon.svg', ...tab('Host Tools'),
          host: { binaries: [{ linux: [{ path: '/linux/hello-host' }], darwin: [{ path: '/darwin/hello-host' }], windows: [{ path: '/windows/hello-host.cmd' }] }] },
        }),
        dir('linux'), file('linux/hello-host', HOST_BINARY, { mode: 0o755 }),
        dir('darwin'), file('darwin/hello-host', HOST_BINARY, { mode: 0o755 }),
        dir('windows'), file('windows/hello-host.cmd', '@echo hello\r\n'),
        ...probeUi('Host Tools', 'host'),
      ])]),
      compose: await image('berth-ext/compose', 'Compose Pair', [base, layer([
        file('ext-backend', backend, { mode: 0o755 }),
        file('docker-compose.yaml', composeYaml),
        ...meta({ icon: 'icon.svg', ...tab('Compose Pair'), vm: { composefile: 'docker-compose.yaml', exposes: { socket: 'api.sock' } } }),
        ...probeUi('Compose Pair', 'vm engine'),
      ])]),
      badApi: await image('berth-ext/too-new', 'Too New', [layer([...meta({ icon: 'icon.svg', ...tab('Too New') }), ...probeUi('Too New', '')])], undefined, '>= 1.0.0'),
      noLabels: await image('berth-ext/no-labels', 'No Labels', [layer([...meta({ ...tab('No Labels') }), ...probeUi('No Labels', '')])], undefined, undefined,
        { 'org.opencontainers.image.title': 'No Labels' }),
      brokenBackend: await image('berth-ext/broken-backend', 'Broken Backend', [base, layer([
        file('docker-compose.yaml', 'services:\n  api:\n    image: 127.0.0.1:1/berth-missing/image:none\n'),
        ...meta({ icon: 'icon.svg', ...tab('Broken Backend'), vm: { composefile: 'docker-compose.yaml' } }),
        ...probeUi('Broken Backend', ''),
      ])]),
    },
  };
}

/**
 * The "everything" extension, as authors publish one: a React + MUI UI built from the npm registry (react-ui/), a
 * `vm.image` backend serving HTTP on /run/guest-services/react.sock and a Linux host binary. Its npm install and
 * vite build run once per source change (cached), so it is built only for the tests that install it.
 */
export async function buildReactExtension(b: ImageBuilder): Promise<{ repo: string; image: ManifestFixture }> {
  const ui = await reactUiFiles();
  const dirs = [...new Set(ui.flatMap((f) => f.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))].sort();
  return {
    repo: 'berth-ext/react',
    image: await b.image({
      format: 'docker', platform: amd64,
      layers: [{ entries: busyboxRootfs(), compression: 'gzip' }, {
        compression: 'gzip',
        entries: [
          file('ext-backend', await buildExtBackend(), { mode: 0o755 }),
          ...meta({
            icon: 'icon.svg',
            ...tab('React Extension', { backend: { socket: 'react.sock' } }),
            vm: { image: '${DESKTOP_PLUGIN_IMAGE}', exposes: { socket: 'react.sock' } },
            host: { binaries: [{ linux: [{ path: '/linux/hello-host' }], darwin: [{ path: '/darwin/hello-host' }] }] },
          }),
          dir('linux'), file('linux/hello-host', HOST_BINARY, { mode: 0o755 }),
          dir('darwin'), file('darwin/hello-host', HOST_BINARY, { mode: 0o755 }),
          dir('ui'), ...dirs.map((d) => dir(`ui/${d}`)), ...ui.map((f) => file(`ui/${f.path}`, f.content)),
        ],
      }],
      config: { Labels: extensionLabels('React Extension'), Cmd: ['/ext-backend', '/run/guest-services/react.sock', 'react'] },
    }),
  };
}

/** Builds and pushes the React fixture as `<registry>/berth-ext/react:<tag>`; resolves with the reference. */
export async function pushReactExtension(registry: RegistryEndpoint, tag = '1.0.0'): Promise<string> {
  const b = new ImageBuilder();
  const { repo, image } = await buildReactExtension(b);
  await pushImage(registry, image, `${repo}:${tag}`, { blobs: b.blobs });
  return `${registry.host}/${repo}:${tag}`;
}

export type PushedExtensions = Record<ExtensionFixtureName, string>;

/** Builds and pushes every fixture extension as `<registry>/<repo>:1.0.0`; resolves with the references. */
export async function pushExtensionFixtures(registry: RegistryEndpoint, tag = '1.0.0'): Promise<PushedExtensions> {
  const { builder, images } = await buildExtensionFixtures();
  const out: Partial<PushedExtensions> = {};
  for (const [name, { repo, image }] of Object.entries(images) as [ExtensionFixtureName, ExtensionFixtures['images'][ExtensionFixtureName]][]) {
    await pushImage(registry, image, `${repo}:${tag}`, { blobs: builder.blobs });
    out[name] = `${registry.host}/${repo}:${tag}`;
  }
  return out as PushedExtensions;
}
