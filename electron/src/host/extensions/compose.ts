// An extension's backend as a Compose project (DIGEST §3 step 3): `vm.image` becomes a one-service file, a
// `vm.composefile` is taken from the image; every service gets the extension's `/run/guest-services` folder and
// the labels Docker Desktop sets, and restarts with the engine. `${DESKTOP_PLUGIN_IMAGE}` stays literal in the
// file and is given in the environment of every compose call, as Docker Desktop does. Backends that bind-mount the
// engine as Docker Desktop's VM offers it (`/var/run/docker.sock.raw`) get it: the Berth VM serves the engine there
// too; an engine on this machine gets its own socket put in that path's place.
import { parse, stringify } from 'yaml';
import type { ExtensionMetadata } from './metadata.js';

export const GUEST_SERVICES = '/run/guest-services';
export const EXTENSION_LABEL = 'com.docker.desktop.extension';
export const EXTENSION_NAME_LABEL = 'com.docker.desktop.extension.name';
/** Where Docker Desktop's VM serves the engine to extension containers. */
export const RAW_ENGINE_SOCKET = '/var/run/docker.sock.raw';
/** The service name of a backend given as `vm.image`. */
export const IMAGE_SERVICE = 'desktop-extension-service';

export interface BackendModel {
  yaml: string;
  /** Service names in file order: `vm.cli.exec` uses the first. */
  services: string[];
}

type Service = Record<string, unknown> & { volumes?: unknown[]; labels?: unknown };

function withLabels(labels: unknown, add: Record<string, string>): Record<string, string> | string[] {
  if (Array.isArray(labels)) return [...labels.map(String), ...Object.entries(add).map(([k, v]) => `${k}=${v}`)];
  return { ...(labels && typeof labels === 'object' ? (labels as Record<string, string>) : {}), ...add };
}

/** A volume entry whose source is docker.sock.raw, with `socket` in its place (short or long syntax). */
function rawSocketTo(volume: unknown, socket: string): unknown {
  if (typeof volume === 'string') return volume.startsWith(`${RAW_ENGINE_SOCKET}:`) ? socket + volume.slice(RAW_ENGINE_SOCKET.length) : volume;
  if (volume && typeof volume === 'object' && (volume as { source?: unknown }).source === RAW_ENGINE_SOCKET) return { ...volume, source: socket };
  return volume;
}

export interface BackendModelOptions {
  /** The engine's own unix socket when it runs on this machine (no VM serves docker.sock.raw). */
  engineSocket?: string;
}

/** The compose file Berth runs for the extension; `composeText` is the image's file for `vm.composefile`. */
export function backendModel(meta: ExtensionMetadata, id: string, guestServicesDir: string, composeText?: string, opts: BackendModelOptions = {}): BackendModel {
  let doc: { services?: Record<string, Service> } & Record<string, unknown>;
  if (meta.vm?.image) {
    doc = { services: { [IMAGE_SERVICE]: { image: meta.vm.image } } };
  } else {
    if (composeText === undefined) throw new Error('the extension names a compose file that was not read');
    const parsed: unknown = parse(composeText);
    if (!parsed || typeof parsed !== 'object') throw new Error(`${meta.vm?.composefile}: not a Compose file`);
    doc = parsed as typeof doc;
  }
  const services = doc.services;
  if (!services || typeof services !== 'object' || Object.keys(services).length === 0) {
    throw new Error(`${meta.vm?.composefile ?? 'the backend'}: the Compose file defines no services`);
  }
  for (const [name, svc] of Object.entries(services)) {
    if (!svc || typeof svc !== 'object') throw new Error(`service ${name} is not an object`);
    const own = Array.isArray(svc.volumes) ? svc.volumes : [];
    const { engineSocket } = opts;
    svc.volumes = [...(engineSocket ? own.map((v) => rawSocketTo(v, engineSocket)) : own), `${guestServicesDir}:${GUEST_SERVICES}`];
    svc.labels = withLabels(svc.labels, { [EXTENSION_LABEL]: 'true', [EXTENSION_NAME_LABEL]: id });
    if (svc.restart === undefined) svc.restart = 'unless-stopped';
  }
  return { yaml: stringify(doc), services: Object.keys(services) };
}
